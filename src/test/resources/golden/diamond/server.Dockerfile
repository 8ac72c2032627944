FROM debian:bookworm-slim AS base
RUN apt-get update && apt-get install -y --no-install-recommends build-essential

FROM base AS server
COPY src/server/ /src/server/
RUN make -C /src/server
