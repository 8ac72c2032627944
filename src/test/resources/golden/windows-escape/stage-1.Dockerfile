# escape=`
# syntax=docker/dockerfile:1
ARG WINDOWS_VERSION=ltsc2022

# stagebuild: the files of stage build, exported by its own pod
FROM scratch AS build
ADD from/build.tar /

FROM mcr.microsoft.com/windows/nanoserver:${WINDOWS_VERSION} AS stage-1
COPY --from=build C:\app\bin\ C:\app\
CMD ["C:\\app\\app.exe"]
