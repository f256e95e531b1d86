package dev.ferry.core.templates;

/**
 * Why a template could not render: its message names the path and the reason, for the person
 * who wrote the template. Checked, so that each caller decides what a failed render means (an
 * automation action that fails, a webhook that answers 400, an event that is kept as it was).
 */
public final class TemplateFailure extends Exception {
    private final String path;

    TemplateFailure(String path, String reason) {
        super(path == null || path.isEmpty() ? reason : path + ": " + reason, null, false, false);
        this.path = path;
    }

    /** Where the failing string sits in the template, e.g. {@code actions[0].parameters.branch}. */
    public String path() {
        return path;
    }
}
