package dev.taskapi.models.install;

import dev.taskapi.models.Sha256;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Reads one image from an OCI distribution registry (the pull side of the distribution API) with Vert.x's HTTP
 * client, never blocking its event loop. Anonymous or with basic credentials; a 401 is answered by the challenge
 * it carries: {@code Basic}, or {@code Bearer} with a token from the challenge's realm (service and scope as
 * given). Blob redirects (to a CDN or object store) are followed without the registry's Authorization header.
 */
final class RegistryClient {
  static final long MAX_MANIFEST_BYTES = 4L << 20;
  private static final long MAX_SMALL_BODY = 1L << 20;
  private static final int MAX_REDIRECTS = 5;

  private final Vertx vertx;
  private final ImageReference image;
  private final Optional<RegistryCredentials> credentials;
  private final boolean plainHttp;
  private final HttpClientAgent http;
  private final String base;
  private volatile String authorization;

  RegistryClient(Vertx vertx, ImageReference image, Optional<RegistryCredentials> credentials, boolean plainHttp) {
    this.vertx = vertx;
    this.image = image;
    this.credentials = credentials;
    this.plainHttp = plainHttp;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(15_000).setIdleTimeout(120));
    this.base = (plainHttp ? "http://" : "https://") + image.apiHost() + "/v2/" + image.repository();
  }

  Future<Void> close() {
    return http.close();
  }

  /** The image's manifest (through its index, if the reference names one), its digest checked. */
  Future<ImageManifest> manifest() {
    return fetchManifest(image.manifestReference(), image.digest()).compose(top -> {
      JsonObject json = top.json();
      if (!ImageManifest.isIndex(json, top.contentType())) {
        return Future.succeededFuture(ImageManifest.parse(top.digest(), json));
      }
      String chosen = ImageManifest.chooseFromIndex(json);
      // The version is named by the digest the reference resolves to (the index's), the files come from its entry.
      return fetchManifest(chosen, chosen).map(entry -> ImageManifest.parse(top.digest(), entry.json()));
    });
  }

  /** Downloads a blob to {@code file} (created new), checking its size and sha256 against the manifest's. */
  Future<Void> download(ImageManifest.Blob blob, Path file) {
    return vertx.fileSystem().open(file.toString(), new OpenOptions().setWrite(true).setCreateNew(true))
        .compose(out -> get(base + "/blobs/" + blob.digest(), null)
            .compose(response -> followRedirects(response, base + "/blobs/" + blob.digest(), 0))
            .compose(response -> response.statusCode() == 200 ? copy(response, out, blob) : failure(response, "blob " + blob.digest()))
            .onFailure(e -> out.close()));
  }

  private record Fetched(String digest, String contentType, JsonObject json) {}

  private Future<Fetched> fetchManifest(String reference, String expectedDigest) {
    String url = base + "/manifests/" + reference;
    return get(url, ImageManifest.ACCEPT).compose(response -> {
      if (response.statusCode() != 200) {
        return failure(response, "manifest " + image.repository() + ":" + reference);
      }
      String contentType = response.getHeader("Content-Type");
      String announced = response.getHeader("Docker-Content-Digest");
      return readBody(response, MAX_MANIFEST_BYTES, "manifest " + reference).map(body -> {
        String digest = "sha256:" + Sha256.hex(body.getBytes());
        if (expectedDigest != null && !expectedDigest.equals(digest)) {
          throw new InstallException("manifest " + reference + " has digest " + digest + ", not the " + expectedDigest
              + " asked for");
        }
        if (announced != null && announced.startsWith("sha256:") && !announced.equals(digest)) {
          throw new InstallException("manifest " + reference + " has digest " + digest + ", but the registry says "
              + announced);
        }
        try {
          return new Fetched(digest, contentType, new JsonObject(body));
        } catch (DecodeException e) {
          throw new InstallException("manifest " + reference + " is not JSON");
        }
      });
    });
  }

  /** GET with the registry's authorization; one 401 is answered by its challenge, then the request is retried. */
  private Future<HttpClientResponse> get(String url, String accept) {
    return send(url, accept, true).compose(response -> {
      if (response.statusCode() != 401) {
        return Future.succeededFuture(response);
      }
      String challenge = response.getHeader("WWW-Authenticate");
      return discard(response).compose(v -> authenticate(challenge)).compose(v -> send(url, accept, true))
          .compose(retried -> retried.statusCode() != 401 ? Future.succeededFuture(retried)
              : discard(retried).compose(v -> Future.failedFuture(new InstallException(image.registry()
                  + " refused " + (credentials.isPresent() ? "the credentials of MODELS_REGISTRY_AUTH_FILE"
                  : "anonymous access (set MODELS_REGISTRY_AUTH_FILE)") + " for " + image.repository() + " (401)"))));
    });
  }

  private Future<HttpClientResponse> send(String url, String accept, boolean withAuthorization) {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url).setFollowRedirects(false);
    if (accept != null) {
      request.putHeader("Accept", accept);
    }
    if (withAuthorization && authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    // Paused until the caller has set its handlers, so that no part of the body is lost.
    return http.request(request).compose(r -> r.send()).map(HttpClientResponse::pause)
        .recover(e -> Future.failedFuture(e instanceof InstallException ? e
            : new InstallException("GET " + url + " failed: " + e.getMessage(), e)));
  }

  private Future<Void> authenticate(String header) {
    if (header == null || header.isBlank()) {
      return Future.failedFuture(new InstallException(image.registry() + " answered 401 without a WWW-Authenticate challenge"));
    }
    AuthChallenge challenge = AuthChallenge.parse(header);
    if (challenge.isBasic()) {
      if (credentials.isEmpty()) {
        return Future.failedFuture(new InstallException(image.registry() + " requires credentials: set MODELS_REGISTRY_AUTH_FILE"));
      }
      authorization = credentials.get().basicAuthorization();
      return Future.succeededFuture();
    }
    if (!challenge.isBearer() || challenge.parameter("realm") == null) {
      return Future.failedFuture(new InstallException(image.registry() + " asks for an unsupported authentication: " + header));
    }
    return token(challenge).map(token -> {
      authorization = "Bearer " + token;
      return null;
    });
  }

  /** A bearer token from the challenge's realm (the Docker registry token protocol). */
  private Future<String> token(AuthChallenge challenge) {
    String realm = challenge.parameter("realm");
    URI uri;
    try {
      uri = URI.create(realm);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new InstallException(image.registry() + " gave a token realm that is not a URL: " + realm));
    }
    if (!"https".equals(uri.getScheme()) && !(plainHttp && "http".equals(uri.getScheme()))) {
      return Future.failedFuture(new InstallException(image.registry() + " gave a token realm that is not https: " + realm));
    }
    String scope = challenge.parameter("scope") != null ? challenge.parameter("scope")
        : "repository:" + image.repository() + ":pull";
    StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?').append("scope=").append(encode(scope));
    if (challenge.parameter("service") != null) {
      url.append("&service=").append(encode(challenge.parameter("service")));
    }
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url.toString())
        .putHeader("Accept", "application/json");
    credentials.ifPresent(c -> request.putHeader("Authorization", c.basicAuthorization()));
    return http.request(request).compose(r -> r.send()).map(HttpClientResponse::pause)
        .recover(e -> Future.failedFuture(new InstallException("token request to " + realm + " failed: " + e.getMessage(), e)))
        .compose(response -> response.statusCode() != 200 ? failure(response, "a token from " + realm)
            : readBody(response, MAX_SMALL_BODY, "the token from " + realm).map(body -> {
              JsonObject json;
              try {
                json = new JsonObject(body);
              } catch (DecodeException e) {
                throw new InstallException("the token from " + realm + " is not JSON");
              }
              String token = json.getString("token", json.getString("access_token"));
              if (token == null || token.isBlank()) {
                throw new InstallException("the answer of " + realm + " has no token");
              }
              return token;
            }));
  }

  /** Follows a blob's redirects; the registry's Authorization goes only to the registry's own host. */
  private Future<HttpClientResponse> followRedirects(HttpClientResponse response, String url, int hops) {
    int status = response.statusCode();
    if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
      return Future.succeededFuture(response);
    }
    String location = response.getHeader("Location");
    if (hops >= MAX_REDIRECTS || location == null) {
      return discard(response).compose(v -> Future.failedFuture(new InstallException("GET " + url + ": "
          + (location == null ? status + " without a Location" : "more than " + MAX_REDIRECTS + " redirects"))));
    }
    URI next = URI.create(url).resolve(location);
    if (!"https".equals(next.getScheme()) && !(plainHttp && "http".equals(next.getScheme()))) {
      return discard(response).compose(v -> Future.failedFuture(new InstallException("GET " + url
          + " redirects to a non-https URL: " + next.getScheme() + "://" + next.getHost())));
    }
    boolean sameHost = next.getRawAuthority() != null && next.getRawAuthority().equalsIgnoreCase(image.apiHost());
    return discard(response).compose(v -> send(next.toString(), null, sameHost))
        .compose(r -> followRedirects(r, next.toString(), hops + 1));
  }

  private Future<Void> copy(HttpClientResponse response, AsyncFile out, ImageManifest.Blob blob) {
    Promise<Void> done = Promise.promise();
    MessageDigest sha256 = Sha256.digest();
    long[] received = {0};
    response.exceptionHandler(done::tryFail);
    out.exceptionHandler(done::tryFail);
    response.handler(chunk -> {
      received[0] += chunk.length();
      if (received[0] > blob.size()) {
        done.tryFail(new InstallException("blob " + blob.digest() + " is larger than the " + blob.size()
            + " bytes its manifest gives"));
        response.request().reset();
        return;
      }
      sha256.update(chunk.getBytes());
      out.write(chunk);
      if (out.writeQueueFull()) {
        response.pause();
        out.drainHandler(v -> response.resume());
      }
    });
    response.endHandler(v -> {
      String actual = "sha256:" + HexFormat.of().formatHex(sha256.digest());
      if (received[0] != blob.size()) {
        done.tryFail(new InstallException("blob " + blob.digest() + " ended after " + received[0] + " of "
            + blob.size() + " bytes"));
      } else if (!actual.equals(blob.digest())) {
        done.tryFail(new InstallException("blob " + blob.digest() + " has the sha256 " + actual + ": corrupted"));
      }
      out.end().onComplete(closed -> {
        if (closed.succeeded()) {
          done.tryComplete();
        } else {
          done.tryFail(closed.cause());
        }
      });
    });
    response.resume();
    return done.future();
  }

  /** A failed future naming what was asked for, the status and the registry's own error, if it gave one. */
  private static <T> Future<T> failure(HttpClientResponse response, String what) {
    int status = response.statusCode();
    return readBody(response, MAX_SMALL_BODY, "error").otherwiseEmpty().compose(body -> {
      String detail = "";
      try {
        JsonArray errors = body == null ? null : new JsonObject(body).getJsonArray("errors");
        if (errors != null && !errors.isEmpty()) {
          JsonObject first = errors.getJsonObject(0);
          detail = ": " + first.getString("code", "") + " " + first.getString("message", "");
        }
      } catch (DecodeException | ClassCastException e) {
        // not the registry's JSON error: the status says enough
      }
      return Future.failedFuture(new InstallException("cannot get " + what + ": HTTP " + status + detail.stripTrailing()));
    });
  }

  private static Future<Void> discard(HttpClientResponse response) {
    return readBody(response, MAX_SMALL_BODY, "body").otherwiseEmpty().mapEmpty();
  }

  private static Future<Buffer> readBody(HttpClientResponse response, long limit, String what) {
    Promise<Buffer> done = Promise.promise();
    Buffer body = Buffer.buffer();
    response.exceptionHandler(done::tryFail);
    response.handler(chunk -> {
      if (body.length() + chunk.length() > limit) {
        done.tryFail(new InstallException(what + " is larger than " + limit + " bytes"));
        response.request().reset();
      } else {
        body.appendBuffer(chunk);
      }
    });
    response.endHandler(v -> done.tryComplete(body));
    response.resume();
    return done.future();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
