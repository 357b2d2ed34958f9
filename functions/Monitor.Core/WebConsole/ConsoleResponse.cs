namespace Monitor.Core.WebConsole;

/// <summary>An answer of the web console: status, content type and body, with the headers every host sends.</summary>
public sealed record ConsoleResponse(int Status, string ContentType, string Body)
{
    public const string HtmlType = "text/html; charset=utf-8";

    /// <summary>
    /// Scripts, styles and frames only from the app itself: no inline script or style, no CDN. The review pack in the review
    /// page's frame comes from the same origin (it carries its own, stricter policy).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; " +
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public IEnumerable<(string Name, string Value)> Headers =>
    [
        ("Content-Type", ContentType),
        ("Content-Security-Policy", ContentSecurityPolicy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        // Pages hold live data; the two assets are small and revalidated.
        ("Cache-Control", ContentType == HtmlType ? "no-store" : "no-cache"),
    ];
}
