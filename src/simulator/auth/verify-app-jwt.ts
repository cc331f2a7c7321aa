import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { JWT_CLOCK_SKEW_S, MAX_JWT_LIFETIME_S } from "../simulator-limits.js";

export type JwtCheck = { ok: true } | { ok: false; reason: string };

function decodeSegment(segment: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return parsed !== null && typeof parsed === "object" ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Checks a GitHub App JWT the way GitHub does: RS256 by the app's key, `iss` = app id, not expired, ≤ 10 min. */
export function verifyAppJwt(p: {
  jwt: string;
  publicKey: KeyObject | string;
  appId: number;
  nowMs: number;
}): JwtCheck {
  const parts = p.jwt.split(".");
  if (parts.length !== 3) return { ok: false, reason: "A JSON web token could not be decoded" };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeSegment(headerPart);
  const payload = decodeSegment(payloadPart);
  if (!header || !payload) return { ok: false, reason: "A JSON web token could not be decoded" };
  if (header.alg !== "RS256")
    return { ok: false, reason: `JWT alg must be RS256, got ${String(header.alg)}` };
  const key = typeof p.publicKey === "string" ? createPublicKey(p.publicKey) : p.publicKey;
  const signed = verify(
    "RSA-SHA256",
    Buffer.from(`${headerPart}.${payloadPart}`),
    key,
    Buffer.from(signaturePart, "base64url"),
  );
  if (!signed) return { ok: false, reason: "JWT signature does not match the app's private key" };
  if (String(payload.iss) !== String(p.appId)) {
    return {
      ok: false,
      reason: `'Issuer' claim ('iss') must be the app id ${p.appId}, got ${String(payload.iss)}`,
    };
  }
  const now = Math.floor(p.nowMs / 1000);
  const { exp, iat } = payload;
  if (typeof exp !== "number" || typeof iat !== "number") {
    return { ok: false, reason: "JWT must carry numeric 'iat' and 'exp' claims" };
  }
  if (exp <= now - JWT_CLOCK_SKEW_S)
    return { ok: false, reason: "'Expiration time' claim ('exp') is in the past" };
  if (iat > now + JWT_CLOCK_SKEW_S)
    return { ok: false, reason: "'Issued at' claim ('iat') is in the future" };
  if (exp - now > MAX_JWT_LIFETIME_S + JWT_CLOCK_SKEW_S) {
    return { ok: false, reason: "'Expiration time' claim ('exp') is too far in the future" };
  }
  return { ok: true };
}
