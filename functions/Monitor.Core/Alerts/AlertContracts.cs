using System.Text.Json;
using System.Text.Json.Serialization;
using Monitor.Core.Storage;

namespace Monitor.Core.Alerts;

/// <summary>
/// The message sent to the overdue-alerts queue for each alert. Public contract: property names and order, nulls
/// written as null, instants in the serializer's ISO-8601 form with their offset (tests pin the exact bytes).
/// </summary>
internal sealed record AlertQueueMessage(
    string AlertId,
    string RequestId,
    string Clock,
    string Level,
    string? PreviousLevel,
    int Cycle,
    DateTimeOffset ReachedAt,
    DateTimeOffset? DueAt,
    DateTimeOffset RaisedAt,
    string RespondingParty,
    string RequestingParty,
    string Category,
    string Priority)
{
    public static AlertQueueMessage From(AlertEntity alert) => new(
        alert.AlertId, alert.RequestId, alert.Clock, alert.Level, alert.PreviousLevel, alert.Cycle,
        alert.ReachedAt, alert.DueAt, alert.RaisedAt, alert.RespondingParty, alert.RequestingParty, alert.Category, alert.Priority);

    public string ToJson() => JsonSerializer.Serialize(this, AlertJsonContext.Default.AlertQueueMessage);
}

/// <summary>A Slack incoming-webhook body: <c>{"text": ...}</c> (mrkdwn).</summary>
internal sealed record SlackMessage(string Text)
{
    public string ToJson() => JsonSerializer.Serialize(this, AlertJsonContext.Default.SlackMessage);
}

/// <summary>
/// Source-generated serialization of the alert contracts. Default options otherwise (nulls written, the default
/// encoder's escaping), which are the bytes the earlier reflection-based serializers produced.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AlertQueueMessage))]
[JsonSerializable(typeof(SlackMessage))]
internal sealed partial class AlertJsonContext : JsonSerializerContext;
