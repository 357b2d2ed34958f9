using System.Globalization;
using System.Text.Json.Nodes;
using Monitor.Core.Storage;

namespace Monitor.Core.Alerts;

/// <summary>
/// The JSON body POSTed for an alert. Slack incoming webhooks take {"text": ...} (mrkdwn, where &amp;, &lt; and &gt;
/// must be escaped). Teams takes an Adaptive Card through a Workflows "when a Teams webhook request is received"
/// trigger: a message whose one attachment is the card (the Office 365 connectors and their MessageCard are retired).
/// </summary>
internal static class WebhookPayload
{
    public const string AdaptiveCardContentType = "application/vnd.microsoft.card.adaptive";
    public const string AdaptiveCardSchema = "http://adaptivecards.io/schemas/adaptive-card.json";
    /// <summary>The card version Teams renders everywhere (desktop, web, mobile).</summary>
    public const string AdaptiveCardVersion = "1.4";

    public static string Build(AlertEntity alert, string format) => Build(new AlertNotice(alert, [], null), format);

    public static string Build(AlertNotice notice, string format) =>
        string.Equals(format, WebhookFormats.Teams, StringComparison.OrdinalIgnoreCase) ? Teams(notice) : Slack(notice.Alert);

    /// <summary>One line that says what happened, with every instant in UTC.</summary>
    public static string Headline(AlertEntity alert) =>
        $"{alert.Level.ToUpperInvariant()}: request {alert.RequestId} ({alert.RequestingParty} to {alert.RespondingParty}, {alert.Priority}, {alert.Category}): "
        + $"the {alert.Clock} clock{CycleText(alert)} reached {alert.Level} at {Utc(alert.ReachedAt)}"
        + (alert.DueAt is { } due ? $" (due {Utc(due)})" : "");

    public static string Slack(AlertEntity alert) =>
        new SlackMessage($"{SlackEscape(Headline(alert))}\nAlert {SlackEscape(alert.AlertId)}, raised by the sweep at {Utc(alert.RaisedAt)}."
            + (alert.CalendarWarning is { } warning ? $"\nWarning: {SlackEscape(warning)}" : "")).ToJson();

    public static string Teams(AlertEntity alert) => Teams(new AlertNotice(alert, [], null));

    /// <summary>A Workflows message holding one Adaptive Card: title, headline, the facts and a button to the request's page.</summary>
    public static string Teams(AlertNotice notice)
    {
        var alert = notice.Alert;
        var facts = new JsonArray();
        foreach (var (name, value) in notice.Facts())
        {
            facts.Add(new JsonObject { ["title"] = name, ["value"] = MarkdownEscape(value) });
        }
        var card = new JsonObject
        {
            ["$schema"] = AdaptiveCardSchema,
            ["type"] = "AdaptiveCard",
            ["version"] = AdaptiveCardVersion,
            ["body"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "TextBlock",
                    ["text"] = MarkdownEscape($"{alert.Level.ToUpperInvariant()}: {alert.RequestId} {alert.Clock} clock"),
                    ["size"] = "Large",
                    ["weight"] = "Bolder",
                    ["color"] = alert.Level == "at-risk" ? "Warning" : "Attention",
                    ["wrap"] = true,
                },
                new JsonObject { ["type"] = "TextBlock", ["text"] = MarkdownEscape(Headline(alert)), ["wrap"] = true },
                new JsonObject { ["type"] = "FactSet", ["facts"] = facts }),
        };
        if (notice.Link is { } link)
        {
            card["actions"] = new JsonArray(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open the request", ["url"] = link.AbsoluteUri });
        }
        var message = new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(new JsonObject
            {
                ["contentType"] = AdaptiveCardContentType,
                ["contentUrl"] = null,
                ["content"] = card,
            }),
        };
        return message.ToJsonString();
    }

    /// <summary>Slack's own rule: only &amp;, &lt; and &gt; are control characters in message text.</summary>
    public static string SlackEscape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>Teams renders Markdown and some HTML: escape both so that a request ID shows as written.</summary>
    public static string MarkdownEscape(string text) => MarkdownText.Escape(text, foldLineBreaks: false);

    internal static string CycleText(AlertEntity alert) => alert.Clock == "update" ? $" (cycle {alert.Cycle})" : "";

    internal static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
