# syntax=docker/dockerfile:1

FROM golang:1.22 AS build
WORKDIR /src
RUN mkdir -p /out/docs && go build -o /out/app . && cp README.md /out/docs/

FROM build AS test
RUN go test ./...
