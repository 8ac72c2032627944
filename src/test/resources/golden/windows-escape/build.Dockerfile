# escape=`
# syntax=docker/dockerfile:1
ARG WINDOWS_VERSION=ltsc2022

FROM mcr.microsoft.com/windows/servercore:${WINDOWS_VERSION} AS build
SHELL ["powershell", "-Command"]
RUN New-Item -ItemType Directory -Path C:\app ; `
    Write-Host done
COPY src/app\ C:\app\
