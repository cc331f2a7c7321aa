const MASK = "***";

/** A connection string fit for messages: the password replaced. */
export function maskConnectionString(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = MASK;
    return url.toString();
  } catch {
    return connectionString.replace(/:[^:@/]*@/, `:${MASK}@`);
  }
}

/** Removes the connection string's password from a message, however a driver or server quoted it. */
export function maskSecrets(message: string, connectionString: string): string {
  let password = "";
  try {
    password = decodeURIComponent(new URL(connectionString).password);
  } catch {
    password = /:([^:@/]*)@/.exec(connectionString)?.[1] ?? "";
  }
  let masked = message.replaceAll(connectionString, maskConnectionString(connectionString));
  if (password) {
    masked = masked.replaceAll(password, MASK).replaceAll(encodeURIComponent(password), MASK);
  }
  return masked;
}
