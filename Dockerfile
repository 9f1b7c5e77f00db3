# Leadline: one image for every role (ROLE=api, worker or all). Node 24 runs the TypeScript sources directly.
# Build: docker build -t leadline .   Run with Postgres: docker compose up (compose.yaml, docs/docker.md).

# Production dependencies only, installed from the lockfile.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LEADLINE_HOME=/var/lib/leadline \
    SPOOL_DIR=/var/lib/leadline/spool \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
COPY supabase ./supabase
# The spool (leads kept while the database is away) and LEADLINE_HOME belong to the unprivileged user.
RUN mkdir -p /var/lib/leadline/spool && chown -R node:node /var/lib/leadline
USER node
VOLUME ["/var/lib/leadline"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "scripts/healthcheck.ts"]
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=25", "src/main.ts"]
