using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Monitor.Core.Storage;

namespace Monitor.Core.Alerts;

/// <summary>
/// The JSON body POSTed for an alert. Slack incoming webhooks take {"text": ...} (mrkdwn, where &amp;, &lt; and &gt;
/// must be escaped); Teams incoming webhooks take an Office 365 connector MessageCard, whose text is Markdown.
/// </summary>
public static class WebhookPayload
{
    public static string Build(AlertEntity alert, string format) =>
        string.Equals(format, WebhookFormats.Teams, StringComparison.OrdinalIgnoreCase) ? Teams(alert) : Slack(alert);

    /// <summary>One line that says what happened, with every instant in UTC.</summary>
    public static string Headline(AlertEntity alert) =>
        $"{alert.Level.ToUpperInvariant()}: request {alert.RequestId} ({alert.RequestingParty} to {alert.RespondingParty}, {alert.Priority}, {alert.Category}): "
        + $"the {alert.Clock} clock{CycleText(alert)} reached {alert.Level} at {Utc(alert.ReachedAt)}"
        + (alert.DueAt is { } due ? $" (due {Utc(due)})" : "");

    public static string Slack(AlertEntity alert)
    {
        var text = $"{SlackEscape(Headline(alert))}\nAlert {SlackEscape(alert.AlertId)}, raised by the sweep at {Utc(alert.RaisedAt)}.";
        return new JsonObject { ["text"] = text }.ToJsonString();
    }

    public static string Teams(AlertEntity alert)
    {
        var facts = new JsonArray();
        void Fact(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                facts.Add(new JsonObject { ["name"] = name, ["value"] = MarkdownEscape(value) });
            }
        }
        Fact("Request", alert.RequestId);
        Fact("From", alert.RequestingParty);
        Fact("To (responding)", alert.RespondingParty);
        Fact("Priority", alert.Priority);
        Fact("Category", alert.Category);
        Fact("Clock", alert.Clock + CycleText(alert));
        Fact("Level", $"{alert.Level} (was {alert.PreviousLevel ?? "unknown"})");
        Fact("Reached at (UTC)", Utc(alert.ReachedAt));
        Fact("Due (UTC)", alert.DueAt is { } due ? Utc(due) : null);
        Fact("Alert", alert.AlertId);
        var card = new JsonObject
        {
            ["@type"] = "MessageCard",
            ["@context"] = "https://schema.org/extensions",
            ["summary"] = Headline(alert),
            ["themeColor"] = alert.Level switch
            {
                "escalated" => "A4262C",
                "overdue" => "D83B01",
                _ => "FFB900",
            },
            ["title"] = MarkdownEscape($"{alert.Level.ToUpperInvariant()}: {alert.RequestId} {alert.Clock} clock"),
            ["text"] = MarkdownEscape(Headline(alert)),
            ["sections"] = new JsonArray(new JsonObject { ["facts"] = facts }),
        };
        return card.ToJsonString();
    }

    /// <summary>Slack's own rule: only &amp;, &lt; and &gt; are control characters in message text.</summary>
    public static string SlackEscape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>Teams renders Markdown and some HTML: escape both so that a request ID shows as written.</summary>
    public static string MarkdownEscape(string text) => MarkdownText.Escape(text, foldLineBreaks: false);

    private static string CycleText(AlertEntity alert) => alert.Clock == "update" ? $" (cycle {alert.Cycle})" : "";

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
