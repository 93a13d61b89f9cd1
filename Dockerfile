# syntax=docker/dockerfile:1
# Aivenator: `docker build -t aivenator .`
# Build stage: compile TypeScript, bundle the workflow code once (so workers
# start without webpack), then drop the dev dependencies.
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
RUN npx tsc -p tsconfig.build.json \
 && node dist/src/cli/main.js bundle dist/workflow-bundle.js \
 && rm -f dist/.tsbuildinfo \
 && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: distroless Node.js 22 LTS (glibc, which the Temporal core bridge
# needs), no shell, no package manager, running as the unprivileged `nonroot`.
FROM gcr.io/distroless/nodejs22-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production \
    AIVENATOR_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    AIVENATOR_METRICS_ADDRESS=0.0.0.0:8080 \
    AIVENATOR_LOG_FORMAT=json
COPY --from=build --chown=65532:65532 /app/package.json ./package.json
COPY --from=build --chown=65532:65532 /app/node_modules ./node_modules
COPY --from=build --chown=65532:65532 /app/dist ./dist
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/nodejs/bin/node", "dist/src/cli/main.js"]
CMD ["run"]
