using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Nodes;
using MimeKit;
using Monitor.Core.Storage;

namespace Monitor.Core.Alerts;

/// <summary>
/// An operational alert: something the pipeline itself needs a person for (a pulled source that keeps failing). It
/// goes to the same channels as the overdue alerts: a message on the overdue-alerts queue (told apart by
/// <see cref="Kind"/>, which clock alerts do not have) and the webhook when one is configured.
/// </summary>
public sealed record OperationalAlert(string AlertId, string Subject, string Text, DateTimeOffset Since, int Failures, DateTimeOffset RaisedAt)
{
    /// <summary>The message's kind on the queue: <c>operational</c>.</summary>
    public string Kind => "operational";

    internal string ToJson() => JsonSerializer.Serialize(this, OperationalAlertJsonContext.Default.OperationalAlert);
}

/// <summary>
/// Sends operational alerts to the queue and to every channel of every route in config/notifications.json (and the
/// legacy webhook): these concern the pipeline, so no route filter applies. Best effort, sent once when raised: the
/// statuses are returned for the log, never thrown.
/// </summary>
public sealed class OperationalAlerts(MonitorStorage storage, NotificationConfiguration notifications, AlertWebhook webhook, AlertMailer mailer)
{
    /// <returns>Where it went, for the log: "queued", then each channel's status.</returns>
    public async Task<string> RaiseAsync(OperationalAlert alert, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await storage.AlertsQueue.SendMessageAsync(alert.ToJson(), cancellationToken);
        var statuses = new List<string> { "queued" };
        var routes = (await notifications.LoadAsync(cancellationToken)).Settings.Routes;
        var headline = $"{alert.Subject}: {alert.Text}";
        foreach (var route in routes)
        {
            if (route.Teams is { } teams)
            {
                statuses.Add($"{route.Name} teams {await webhook.PostAsync(teams, TeamsCard(alert, headline), alert.AlertId, cancellationToken) ?? "delivered"}");
            }
            if (route.Slack is { } slack)
            {
                var text = new SlackMessage(WebhookPayload.SlackEscape($"{headline}\nAlert {alert.AlertId}.")).ToJson();
                statuses.Add($"{route.Name} slack {await webhook.PostAsync(slack, text, alert.AlertId, cancellationToken) ?? "delivered"}");
            }
            if (route.Email.Count > 0 && mailer.Enabled)
            {
                var message = new MimeMessage { Subject = $"[Monitor] {alert.Subject}" };
                message.From.Add(mailer.From);
                message.To.AddRange(route.Email.Select(MailboxAddress.Parse));
                message.Body = new TextPart("plain") { Text = $"{alert.Text}\n\nFailing since {alert.Since.UtcDateTime:u}; {alert.Failures} failed pulls in a row.\nAlert {alert.AlertId}." };
                statuses.Add($"{route.Name} email {await mailer.SendAsync(message, cancellationToken) ?? "delivered"}");
            }
        }
        return string.Join(", ", statuses);
    }

    private static string TeamsCard(OperationalAlert alert, string headline) => new JsonObject
    {
        ["type"] = "message",
        ["attachments"] = new JsonArray(new JsonObject
        {
            ["contentType"] = WebhookPayload.AdaptiveCardContentType,
            ["contentUrl"] = null,
            ["content"] = new JsonObject
            {
                ["$schema"] = WebhookPayload.AdaptiveCardSchema,
                ["type"] = "AdaptiveCard",
                ["version"] = WebhookPayload.AdaptiveCardVersion,
                ["body"] = new JsonArray(
                    new JsonObject { ["type"] = "TextBlock", ["text"] = WebhookPayload.MarkdownEscape(alert.Subject), ["size"] = "Large", ["weight"] = "Bolder", ["color"] = "Attention", ["wrap"] = true },
                    new JsonObject { ["type"] = "TextBlock", ["text"] = WebhookPayload.MarkdownEscape(headline), ["wrap"] = true },
                    new JsonObject
                    {
                        ["type"] = "FactSet",
                        ["facts"] = new JsonArray(
                            new JsonObject { ["title"] = "Failing since (UTC)", ["value"] = alert.Since.UtcDateTime.ToString("u") },
                            new JsonObject { ["title"] = "Failed pulls", ["value"] = $"{alert.Failures}" },
                            new JsonObject { ["title"] = "Alert", ["value"] = WebhookPayload.MarkdownEscape(alert.AlertId) }),
                    }),
            },
        }),
    }.ToJsonString();
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(OperationalAlert))]
internal sealed partial class OperationalAlertJsonContext : JsonSerializerContext;
