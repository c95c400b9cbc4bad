package dev.taskapi.config;

/** LOG_FORMAT: plain lines for people (text), or one JSON object per line for log pipelines (json). */
public enum LogFormat {
    TEXT,
    JSON
}
