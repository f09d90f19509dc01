# Freshbase as a container: a build stage compiles the TypeScript, the runtime stage has only the
# production dependencies and the compiled app, and runs as the image's unprivileged `node` user.
# The base image is pinned by digest; Freshbase keeps that pin fresh itself (.github/freshbase.yml).

FROM node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0 AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: `prepare` would build before the sources are here (the build is the next step).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0
# NODE_OPTIONS: V8's heap flags of bin/freshbase.js and `npm start` (the README's "Memory"), for the
# app and for `freshbase sweep` run in this image alike.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=1024 --max-semi-space-size=4" \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# package.json makes dist/ ES modules; app.yml is the manifest Probot's setup flow registers from.
COPY package.json app.yml ./
COPY bin ./bin
# The state store's file (first-seen times of digests) when REDIS_URL is not set; mount a volume
# here to keep it across restarts (losing it only delays updates held by minimumReleaseAge).
ENV FRESHBASE_DATA_DIR=/var/lib/freshbase
RUN mkdir -p /var/lib/freshbase && chown node:node /var/lib/freshbase
USER node
EXPOSE 3000
# Liveness only: /health answers without asking Redis (readiness is /ready).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/app/main.js"]
