import { Ajv, type Options } from "ajv";
import ajvFormats from "ajv-formats";

// NodeNext sees ajv-formats' CommonJS `module.exports`; the plugin itself is its `default` property.
const addFormats = ajvFormats.default;

export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, ...options });
  addFormats(ajv);
  // GitHub-specific format ("owner/name") that only documents intent.
  ajv.addFormat("repo.nwo", true);
  return ajv;
}
