// Schema validation for Fastify: request bodies are checked strictly (no type coercion, unknown
// fields rejected); query strings, params and headers coerce text to the declared types.
import Ajv, { type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

function ajvWith(options: Options) {
  const ajv = new Ajv.default({ removeAdditional: false, useDefaults: true, allErrors: false, strict: false, ...options });
  addFormats.default(ajv);
  return ajv;
}

export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = ajvWith({ coerceTypes: false });
  const coercing = ajvWith({ coerceTypes: 'array' });
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object);
}
