// Generates requests from an OpenAPI document with json-schema-faker, reproducibly (fixed seed):
//   node generate-requests.mjs <openapi.json> <seed> <requests per operation>
// prints a JSON array of { method, path, pathParams, query, body? } on stdout.
// A child process because json-schema-faker ships ES modules only, which Jest's CommonJS cannot load.
import SwaggerParser from '@apidevtools/swagger-parser';
import { generate } from 'json-schema-faker';
import { readFile } from 'node:fs/promises';

const [file, seedArg, perOperationArg] = process.argv.slice(2);
const seed = Number(seedArg);
const perOperation = Number(perOperationArg);

/** mulberry32: a small seeded PRNG for the choices json-schema-faker does not make (which optionals to send). */
function prng(state) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const doc = await SwaggerParser.dereference(JSON.parse(await readFile(file, 'utf8')));
const random = prng(seed);
let n = 0;
const fake = (schema) => generate(schema, { seed: seed + ++n, optionalsProbability: 0.5, maxDepth: 4 });
const requests = [];
for (const [path, item] of Object.entries(doc.paths)) {
  for (const method of ['get', 'post', 'patch', 'delete', 'put']) {
    const op = item[method];
    if (!op) continue;
    const parameters = op.parameters ?? [];
    // Operations without input are all alike: a few of each are enough.
    const count = parameters.length || op.requestBody ? perOperation : 3;
    for (let i = 0; i < count; i++) {
      const request = { method, path, pathParams: {}, query: {} };
      for (const parameter of parameters) {
        if (!parameter.required && random() < 0.5) continue;
        const target = parameter.in === 'path' ? request.pathParams : parameter.in === 'query' ? request.query : undefined;
        if (target) target[parameter.name] = await fake(parameter.schema);
      }
      const body = op.requestBody;
      if (body && (body.required || random() < 0.8)) request.body = await fake(body.content['application/json'].schema);
      requests.push(request);
    }
  }
}
process.stdout.write(JSON.stringify(requests));
