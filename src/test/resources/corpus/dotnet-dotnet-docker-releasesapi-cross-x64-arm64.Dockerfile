# origin: https://github.com/dotnet/dotnet-docker/blob/3ed00b611cc88eaa5995525a0549a5703965cd02/samples/releasesapi/Dockerfile.ubuntu-cross-x64-arm64
# syntax=docker/dockerfile:1
# Learn about building .NET container images:
# https://github.com/dotnet/dotnet-docker/blob/main/samples/README.md
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0-noble-aot-amd64 AS build
ARG TARGETARCH
WORKDIR /source

# Add the Ubuntu sources list for the target architecture
COPY <<EOF /etc/apt/sources.list.d/arm64.sources
Types: deb
URIs: http://ports.ubuntu.com/ubuntu-ports/
Suites: noble noble-updates
Components: main restricted
Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg
Architectures: arm64
EOF

# Add packages necessary for cross-build support
RUN sed -i '/Signed-By/ a Architectures: amd64' /etc/apt/sources.list.d/ubuntu.sources \
    && dpkg --add-architecture arm64 \
    && apt-get update \
    && apt-get install -y \
        gcc-aarch64-linux-gnu \
        zlib1g-dev:arm64 \
    && rm -rf /var/lib/apt/lists/*

# Build the app
COPY --link . .
RUN --mount=type=cache,target=/root/.nuget \
    --mount=type=cache,target=/source/bin \
    --mount=type=cache,target=/source/obj \
    dotnet publish -a $TARGETARCH -o /app releasesapi.csproj \
        && rm /app/*.dbg /app/*.Development.json

# Final stage/image
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled-arm64v8
WORKDIR /app
COPY --link --from=build /app .
USER $APP_UID
ENTRYPOINT ["./releasesapi"]
