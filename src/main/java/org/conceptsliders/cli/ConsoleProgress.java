package org.conceptsliders.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.conceptsliders.runtime.pipeline.Progress;
import org.conceptsliders.runtime.pipeline.ProgressListener;

/** Draws {@link Progress} reports as a console progress bar on stderr; one bar per run. */
final class ConsoleProgress implements ProgressListener, AutoCloseable {
    private final String task;
    private ProgressBar bar;

    ConsoleProgress(String task) {
        this.task = task;
    }

    @Override
    public void onProgress(Progress p) {
        if (bar == null || bar.getMax() != p.total()) {
            close();
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(p.total())
                    .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                    .setUpdateIntervalMillis(250).build();
        }
        bar.stepTo(p.step());
        String extra = p.message();
        if (!Double.isNaN(p.timestep())) {
            extra = "t=" + Math.round(p.timestep()) + (extra.isEmpty() ? "" : " " + extra);
        }
        bar.setExtraMessage(extra);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
