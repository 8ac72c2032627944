# syntax=docker/dockerfile:1.7
ARG GO_VERSION=1.22
ARG VARIANT=alpine

FROM alpine:3.20 AS certs
RUN apk add --no-cache ca-certificates
