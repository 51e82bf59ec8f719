# reachgraph: a static binary on a distroless base (no shell, runs as nonroot).
#   docker build -t reachgraph:local .
#   docker run --rm reachgraph:local version
# docker-compose.yml builds this image and runs it beside Neo4j.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/reachgraph/reachgraph/cmd/cli.version=${VERSION} -X github.com/reachgraph/reachgraph/cmd/cli.commit=${COMMIT}" \
      -o /out/reachgraph ./cmd/reachgraph \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/reachgraph /usr/local/bin/reachgraph
# /data holds the embedded store and the tokens file; owned by the nonroot user.
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/reachgraph"]
CMD ["serve", "--listen", "0.0.0.0:8080", "--tokens", "/data/tokens"]
