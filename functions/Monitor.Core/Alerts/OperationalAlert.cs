using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
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

/// <summary>Sends operational alerts: the queue, then the webhook (its status is returned, never thrown).</summary>
public sealed class OperationalAlerts(MonitorStorage storage, AlertWebhook webhook, IOptions<AlertOptions> options)
{
    /// <returns>Where it went, for the log: "queued" and the webhook's delivery status when there is one.</returns>
    public async Task<string> RaiseAsync(OperationalAlert alert, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await storage.AlertsQueue.SendMessageAsync(alert.ToJson(), cancellationToken);
        if (!webhook.Enabled)
        {
            return "queued";
        }
        var headline = $"{alert.Subject}: {alert.Text}";
        var payload = options.Value.IsTeams
            ? new TeamsMessageCard(headline, "A4262C", WebhookPayload.MarkdownEscape(alert.Subject), WebhookPayload.MarkdownEscape(alert.Text),
                [new TeamsSection([new TeamsFact("Failing since (UTC)", alert.Since.UtcDateTime.ToString("u")), new TeamsFact("Failed pulls", $"{alert.Failures}"), new TeamsFact("Alert", WebhookPayload.MarkdownEscape(alert.AlertId))])]).ToJson()
            : new SlackMessage(WebhookPayload.SlackEscape($"{headline}\nAlert {alert.AlertId}.")).ToJson();
        return $"queued, webhook {await webhook.PostAsync(alert.AlertId, payload, cancellationToken)}";
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(OperationalAlert))]
internal sealed partial class OperationalAlertJsonContext : JsonSerializerContext;
