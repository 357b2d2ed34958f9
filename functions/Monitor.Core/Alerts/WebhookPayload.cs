using System.Globalization;
using System.Text;
using Monitor.Core.Storage;

namespace Monitor.Core.Alerts;

/// <summary>
/// The JSON body POSTed for an alert. Slack incoming webhooks take {"text": ...} (mrkdwn, where &amp;, &lt; and &gt;
/// must be escaped); Teams incoming webhooks take an Office 365 connector MessageCard, whose text is Markdown.
/// </summary>
internal static class WebhookPayload
{
    public static string Build(AlertEntity alert, string format) =>
        string.Equals(format, WebhookFormats.Teams, StringComparison.OrdinalIgnoreCase) ? Teams(alert) : Slack(alert);

    /// <summary>One line that says what happened, with every instant in UTC.</summary>
    public static string Headline(AlertEntity alert) =>
        $"{alert.Level.ToUpperInvariant()}: request {alert.RequestId} ({alert.RequestingParty} to {alert.RespondingParty}, {alert.Priority}, {alert.Category}): "
        + $"the {alert.Clock} clock{CycleText(alert)} reached {alert.Level} at {Utc(alert.ReachedAt)}"
        + (alert.DueAt is { } due ? $" (due {Utc(due)})" : "");

    public static string Slack(AlertEntity alert) =>
        new SlackMessage($"{SlackEscape(Headline(alert))}\nAlert {SlackEscape(alert.AlertId)}, raised by the sweep at {Utc(alert.RaisedAt)}."
            + (alert.CalendarWarning is { } warning ? $"\nWarning: {SlackEscape(warning)}" : "")).ToJson();

    public static string Teams(AlertEntity alert)
    {
        (string Name, string? Value)[] facts =
        [
            ("Request", alert.RequestId),
            ("From", alert.RequestingParty),
            ("To (responding)", alert.RespondingParty),
            ("Priority", alert.Priority),
            ("Category", alert.Category),
            ("Clock", alert.Clock + CycleText(alert)),
            ("Level", $"{alert.Level} (was {alert.PreviousLevel ?? "unknown"})"),
            ("Reached at (UTC)", Utc(alert.ReachedAt)),
            ("Due (UTC)", alert.DueAt is { } due ? Utc(due) : null),
            ("Alert", alert.AlertId),
            ("Calendar warning", alert.CalendarWarning),
        ];
        var card = new TeamsMessageCard(
            Summary: Headline(alert),
            ThemeColor: alert.Level switch
            {
                "escalated" => "A4262C",
                "overdue" => "D83B01",
                _ => "FFB900",
            },
            Title: MarkdownEscape($"{alert.Level.ToUpperInvariant()}: {alert.RequestId} {alert.Clock} clock"),
            Text: MarkdownEscape(Headline(alert)),
            // An empty value is left out rather than shown blank.
            Sections: [new TeamsSection([.. facts.Where(f => !string.IsNullOrEmpty(f.Value)).Select(f => new TeamsFact(f.Name, MarkdownEscape(f.Value!)))])]);
        return card.ToJson();
    }

    /// <summary>Slack's own rule: only &amp;, &lt; and &gt; are control characters in message text.</summary>
    public static string SlackEscape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>Teams renders Markdown and some HTML: escape both so that a request ID shows as written.</summary>
    public static string MarkdownEscape(string text) => MarkdownText.Escape(text, foldLineBreaks: false);

    private static string CycleText(AlertEntity alert) => alert.Clock == "update" ? $" (cycle {alert.Cycle})" : "";

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
