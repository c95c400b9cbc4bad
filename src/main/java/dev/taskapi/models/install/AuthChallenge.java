package dev.taskapi.models.install;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A registry's {@code WWW-Authenticate} challenge (RFC 7235): {@code Bearer realm="...",service="...",scope="..."}
 * (the token flow of Docker Hub, GHCR and distribution with token auth) or {@code Basic realm="..."}.
 */
record AuthChallenge(String scheme, Map<String, String> parameters) {

  /** Parses the header; the scheme is lower-cased, parameter values unquoted. */
  static AuthChallenge parse(String header) {
    String text = header == null ? "" : header.strip();
    int space = text.indexOf(' ');
    String scheme = (space < 0 ? text : text.substring(0, space)).toLowerCase(Locale.ROOT);
    if (scheme.isEmpty()) {
      throw new IllegalArgumentException("empty WWW-Authenticate challenge");
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    int i = space < 0 ? text.length() : space + 1;
    while (i < text.length()) {
      while (i < text.length() && (text.charAt(i) == ',' || text.charAt(i) == ' ')) {
        i++;
      }
      int eq = text.indexOf('=', i);
      if (eq < 0) {
        break;
      }
      String key = text.substring(i, eq).strip().toLowerCase(Locale.ROOT);
      StringBuilder value = new StringBuilder();
      i = eq + 1;
      if (i < text.length() && text.charAt(i) == '"') {
        for (i++; i < text.length() && text.charAt(i) != '"'; i++) {
          if (text.charAt(i) == '\\' && i + 1 < text.length()) {
            i++;
          }
          value.append(text.charAt(i));
        }
        i++;
      } else {
        for (; i < text.length() && text.charAt(i) != ','; i++) {
          value.append(text.charAt(i));
        }
      }
      parameters.put(key, value.toString().strip());
    }
    return new AuthChallenge(scheme, Map.copyOf(parameters));
  }

  boolean isBearer() {
    return scheme.equals("bearer");
  }

  boolean isBasic() {
    return scheme.equals("basic");
  }

  String parameter(String name) {
    return parameters.get(name);
  }
}
