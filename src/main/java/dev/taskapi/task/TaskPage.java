package dev.taskapi.task;

import java.util.List;

/** One page of a task listing and the number of tasks that matched the filters in all. */
public record TaskPage(List<Task> tasks, int total) {}
