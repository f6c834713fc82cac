// `env:NAME` values: read from the environment only when a command needs them, so `validate` runs without secrets.
import type { Location } from '../errors.ts';
import type { Secret } from './types.ts';

const ENV_REF = /^env:(.*)$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The environment variable an `env:NAME` reference names (undefined for a literal). */
export function envNameOf(ref: string): string | undefined {
  return ENV_REF.exec(ref)?.[1];
}

/** Why `ref` is not a usable secret reference, or undefined. */
export function secretProblem(ref: string): string | undefined {
  const name = envNameOf(ref);
  if (name !== undefined && !ENV_NAME.test(name)) return `\`${ref}\` does not name an environment variable (env:NAME, letters, digits and _)`;
  if (ref.trim() === '') return 'is empty';
  return undefined;
}

export function makeSecret(ref: string, loc: Location): Secret {
  const name = envNameOf(ref);
  return {
    ref,
    loc,
    resolve: () => {
      if (name === undefined) return ref;
      const value = process.env[name];
      return value === undefined || value === '' ? undefined : value;
    },
    // A secret printed or serialized shows its reference, never its value.
    toString: () => ref,
    toJSON: () => ref,
  } as Secret;
}
