FROM golang:1.21 as build
WORKDIR /src
COPY src/app.go .
RUN CGO_ENABLED=0 go build -o /usr/local/bin/hello ./app.go
