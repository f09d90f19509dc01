// The process's logger: Probot's (pino, JSON or pretty per LOG_FORMAT, LOG_LEVEL, Sentry), except
// that a child's `name` replaces its parent's. pino appends every child's bindings to the line, so
// Probot's own `child({ name })` calls under its base name would otherwise give one line
// `"name":"probot","name":"probot","name":"freshbase"` — keys that JSON readers collapse unpredictably.
import { getTransformStream } from '@probot/pino';
import { pino, type Bindings, type ChildLoggerOptions, type Logger } from 'pino';

/**
 * `root` with `bindings`, where every descendant is made from `root` with the bindings merged: a key
 * bound again (`name`) appears once per line, with the innermost value.
 */
export function withSingleBindings(
  root: Logger,
  bindings: Bindings = {},
  options?: ChildLoggerOptions,
): Logger {
  const logger = root.child(bindings, options);
  return new Proxy(logger, {
    get(target, property) {
      if (property === 'child') {
        return (more: Bindings, childOptions?: ChildLoggerOptions) =>
          withSingleBindings(root, { ...bindings, ...more }, childOptions);
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set(target, property, value) {
      return Reflect.set(target, property, value, target);
    },
  });
}

/** The logger Probot would build from `env` (see Probot's readEnvOptions and getLog), named once. */
export async function createAppLog(env: NodeJS.ProcessEnv): Promise<Logger> {
  const logFormat = env.LOG_FORMAT
    ? env.LOG_FORMAT === 'pretty'
      ? 'pretty'
      : 'json'
    : env.NODE_ENV === 'production'
      ? 'json'
      : 'pretty';
  const transform = await getTransformStream({
    logFormat,
    logLevelInString: env.LOG_LEVEL_IN_STRING === 'true',
    sentryDsn: env.SENTRY_DSN,
  });
  // SonicBoom is a writable stream; its types do not say so.
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  const root = pino({ level: env.LOG_LEVEL || 'info', messageKey: env.LOG_MESSAGE_KEY || 'msg' }, transform);
  return withSingleBindings(root, { name: 'probot' });
}
