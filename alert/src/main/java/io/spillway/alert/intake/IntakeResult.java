package io.spillway.alert.intake;

/**
 * What an intake endpoint answers: an HTTP status and a JSON body ({@code application/json}).
 * Immutable.
 *
 * @param status the HTTP status (200/202 accepted, 400 invalid, 413 too large)
 * @param body the JSON response body
 */
public record IntakeResult(int status, String body) {
    public static final String CONTENT_TYPE = "application/json";

    public static IntakeResult ok(String body) {
        return new IntakeResult(200, body);
    }

    public boolean accepted() {
        return status >= 200 && status < 300;
    }
}
