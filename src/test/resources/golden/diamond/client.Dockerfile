FROM debian:bookworm-slim AS base
RUN apt-get update && apt-get install -y --no-install-recommends build-essential

FROM base AS client
COPY src/client/ /src/client/
RUN make -C /src/client
