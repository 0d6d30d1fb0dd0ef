package dev.launchkit.examples.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.launchkit.core.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code run --log-file PATH}: the agent's log, also appended to a file (W&B's {@code -l/--log-file}), with time,
 * level, thread, logger, run id and queue item id on every line. {@code -} means standard output, where the log goes
 * anyway. Closing detaches the file again.
 */
final class LogFile implements AutoCloseable {
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger run=%X{run_id:-} "
            + "item=%X{item_id:-} - %msg%n";
    private final FileAppender<ILoggingEvent> appender;

    private LogFile(FileAppender<ILoggingEvent> appender) {
        this.appender = appender;
    }

    /**
     * Attaches the file to the root logger; nothing for {@code -}.
     *
     * @throws ConfigException naming {@code --log-file} when the file cannot be written
     */
    static LogFile attach(String target) {
        if (target.equals("-") || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext lc)) {
            return new LogFile(null);
        }
        Path file = Path.of(target).toAbsolutePath();
        Path dir = file.getParent();
        if (Files.isDirectory(file) || dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)
                && !Files.isWritable(file)) {
            throw new ConfigException("--log-file: cannot write " + file + "; give a file in an existing, writable "
                    + "directory, or - for standard output");
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(lc);
        encoder.setPattern(PATTERN);
        encoder.start();
        FileAppender<ILoggingEvent> a = new FileAppender<>();
        a.setContext(lc);
        a.setName("launch-agent-log-file");
        a.setFile(file.toString());
        a.setAppend(true);
        a.setEncoder(encoder);
        a.start();
        lc.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(a);
        return new LogFile(a);
    }

    @Override
    public void close() {
        if (appender != null && LoggerFactory.getILoggerFactory() instanceof LoggerContext lc) {
            lc.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
            appender.stop();
        }
    }
}
