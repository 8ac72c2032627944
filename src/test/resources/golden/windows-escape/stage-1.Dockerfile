# escape=`
# syntax=docker/dockerfile:1
ARG WINDOWS_VERSION=ltsc2022

FROM mcr.microsoft.com/windows/nanoserver:${WINDOWS_VERSION} AS stage-1
COPY from/build/C:\app\bin\ C:\app\
CMD ["C:\\app\\app.exe"]
