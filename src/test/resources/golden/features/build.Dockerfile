# syntax=docker/dockerfile:1.7
ARG GO_VERSION=1.22
ARG VARIANT=alpine

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS base-alpine

FROM base-alpine AS deps
WORKDIR /src
COPY --link src/go.mod src/go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

FROM deps AS build
ARG TARGETOS TARGETARCH
COPY src/. .
RUN --mount=type=cache,target=/root/.cache/go-build \
    GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -o /out/app ./cmd/app
RUN ["/bin/sh", "-c", "mkdir -p /out/etc\necho \"FROM is not an instruction in here\" > /out/etc/banner\n"]
