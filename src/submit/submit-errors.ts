/** A submission input that cannot become a request file; `field` names it (`reason`, `params.id`, …). */
export class SubmitInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "SubmitInputError";
  }
}
