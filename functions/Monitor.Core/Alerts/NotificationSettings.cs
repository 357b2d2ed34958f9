using System.Text.Json;
using MimeKit;
using NodaTime;
using NodaTime.Text;

namespace Monitor.Core.Alerts;

/// <summary>config/notifications.json could not be used: the message names the file, the field and the reason.</summary>
public sealed class NotificationConfigurationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Delivery channels of a route.</summary>
public static class DeliveryChannels
{
    public const string Queue = "queue";
    public const string Email = "email";
    public const string Teams = "teams";
    public const string Slack = "slack";
}

/// <summary>
/// Who gets an alert. Each filter that is present must match (an absent one matches all); every channel the route
/// names gets the alert once.
/// </summary>
public sealed record NotificationRoute(
    string Name,
    IReadOnlySet<string>? RequestingParties,
    IReadOnlySet<string>? RespondingParties,
    IReadOnlySet<string>? Levels,
    IReadOnlySet<string>? Clocks,
    IReadOnlySet<string>? Categories,
    IReadOnlySet<string>? Priorities,
    IReadOnlyList<string> Email,
    Uri? Teams,
    Uri? Slack)
{
    public bool Matches(Storage.AlertEntity alert) =>
        In(RequestingParties, alert.RequestingParty) && In(RespondingParties, alert.RespondingParty) && In(Levels, alert.Level)
        && In(Clocks, alert.Clock) && In(Categories, alert.Category) && In(Priorities, alert.Priority);

    /// <summary>The channels this route delivers on, with the secret-free target recorded for each.</summary>
    public IEnumerable<(string Channel, string Target)> Channels()
    {
        if (Email.Count > 0)
        {
            yield return (DeliveryChannels.Email, string.Join(", ", Email));
        }
        if (Teams is not null)
        {
            yield return (DeliveryChannels.Teams, Teams.Host);
        }
        if (Slack is not null)
        {
            yield return (DeliveryChannels.Slack, Slack.Host);
        }
    }

    public Uri? WebhookOf(string channel) => channel switch
    {
        DeliveryChannels.Teams => Teams,
        DeliveryChannels.Slack => Slack,
        _ => null,
    };

    private static bool In(IReadOnlySet<string>? allowed, string value) => allowed is null || allowed.Contains(value);
}

/// <summary>The daily digest by e-mail: sent once a day, at the first digest run at or after <see cref="At"/> in <see cref="Zone"/>.</summary>
public sealed record DigestRoute(IReadOnlyList<string> Email, LocalTime At, DateTimeZone Zone);

/// <summary>The document config/notifications.json: the routes and the digest's recipients.</summary>
public sealed record NotificationSettings(IReadOnlyList<NotificationRoute> Routes, DigestRoute? Digest)
{
    public const string Blob = "notifications.json";

    public static NotificationSettings None { get; } = new([], null);

    private static readonly string[] RouteFields = ["name", "requestingParty", "respondingParty", "levels", "clocks", "categories", "priorities", "email", "teams", "slack"];
    private static readonly string[] Levels = ["at-risk", "overdue", "escalated"];
    private static readonly string[] Clocks = ["acknowledgement", "response", "update"];
    private static readonly string[] Priorities = ["critical", "high", "medium", "low"];

    /// <summary>The single webhook of <c>Alerts:WebhookUrl</c>, kept working as a route that matches everything.</summary>
    public NotificationSettings WithWebhook(AlertOptions alerts)
    {
        if (!alerts.WebhookEnabled)
        {
            return this;
        }
        var url = new Uri(alerts.WebhookUrl!.Trim(), UriKind.Absolute);
        var route = new NotificationRoute("webhook", null, null, null, null, null, null, [], alerts.IsTeams ? url : null, alerts.IsTeams ? null : url);
        return this with { Routes = [.. Routes, route] };
    }

    /// <exception cref="NotificationConfigurationException">The document is not valid; the message names the field.</exception>
    public static NotificationSettings Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw Error($"not valid JSON: {ex.Message}", ex);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Error("the document must be a JSON object with \"routes\" and optionally \"digest\"");
            }
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is not ("routes" or "digest"))
                {
                    throw Error($"{property.Name}: unknown field (expected \"routes\" or \"digest\")");
                }
            }
            var routes = new List<NotificationRoute>();
            if (root.TryGetProperty("routes", out var list))
            {
                if (list.ValueKind != JsonValueKind.Array)
                {
                    throw Error("routes: must be an array of routes");
                }
                var index = 0;
                foreach (var item in list.EnumerateArray())
                {
                    var route = ParseRoute(item, $"routes[{index++}]");
                    if (routes.Any(r => string.Equals(r.Name, route.Name, StringComparison.OrdinalIgnoreCase)) || route.Name is "queue" or "webhook")
                    {
                        throw Error($"routes[{index - 1}].name: '{route.Name}' is used twice or reserved (\"queue\" and \"webhook\" are)");
                    }
                    routes.Add(route);
                }
            }
            var digest = root.TryGetProperty("digest", out var d) ? ParseDigest(d) : null;
            return new NotificationSettings(routes, digest);
        }
    }

    private static NotificationRoute ParseRoute(JsonElement item, string path)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Error($"{path}: must be an object");
        }
        foreach (var property in item.EnumerateObject())
        {
            if (!RouteFields.Contains(property.Name, StringComparer.Ordinal))
            {
                throw Error($"{path}.{property.Name}: unknown field (a route has {string.Join(", ", RouteFields)})");
            }
        }
        var name = item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString()!.Trim().Length > 0
            ? n.GetString()!.Trim()
            : throw Error($"{path}.name: required, a non-empty string");
        if (name.Length > 100 || name.Any(c => char.IsControl(c) || c is '/' or '\\' or '#' or '?'))
        {
            throw Error($"{path}.name: '{name}' must be at most 100 characters, without / \\ # ? or control characters");
        }
        var email = Strings(item, "email", path) ?? [];
        for (var i = 0; i < email.Count; i++)
        {
            if (!MailboxAddress.TryParse(email[i], out var mailbox) || !mailbox.Address.Contains('@', StringComparison.Ordinal))
            {
                throw Error($"{path}.email[{i}]: '{email[i]}' is not an e-mail address");
            }
        }
        var route = new NotificationRoute(
            name,
            Set(item, "requestingParty", path, upper: true),
            Set(item, "respondingParty", path, upper: true),
            Set(item, "levels", path, allowed: Levels),
            Set(item, "clocks", path, allowed: Clocks),
            Set(item, "categories", path),
            Set(item, "priorities", path, allowed: Priorities),
            email,
            Url(item, "teams", path),
            Url(item, "slack", path));
        if (!route.Channels().Any())
        {
            throw Error($"{path}: route '{name}' has no channel: give \"email\", \"teams\" or \"slack\"");
        }
        return route;
    }

    private static DigestRoute ParseDigest(JsonElement digest)
    {
        if (digest.ValueKind != JsonValueKind.Object)
        {
            throw Error("digest: must be an object with \"email\", \"at\" and \"zone\"");
        }
        foreach (var property in digest.EnumerateObject())
        {
            if (property.Name is not ("email" or "at" or "zone"))
            {
                throw Error($"digest.{property.Name}: unknown field (the digest has email, at, zone)");
            }
        }
        var email = Strings(digest, "email", "digest") is { Count: > 0 } list ? list : throw Error("digest.email: required, one address or more");
        for (var i = 0; i < email.Count; i++)
        {
            if (!MailboxAddress.TryParse(email[i], out var mailbox) || !mailbox.Address.Contains('@', StringComparison.Ordinal))
            {
                throw Error($"digest.email[{i}]: '{email[i]}' is not an e-mail address");
            }
        }
        var atText = digest.TryGetProperty("at", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "08:00";
        var at = LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(atText);
        if (!at.Success)
        {
            throw Error($"digest.at: '{atText}' is not a time of day as HH:mm (e.g. \"08:00\")");
        }
        var zoneId = digest.TryGetProperty("zone", out var z) && z.ValueKind == JsonValueKind.String ? z.GetString()! : "UTC";
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId) ?? throw Error($"digest.zone: '{zoneId}' is not an IANA time zone (e.g. \"America/New_York\")");
        return new DigestRoute(email, at.Value, zone);
    }

    /// <summary>A string or an array of strings; null when absent.</summary>
    private static List<string>? Strings(JsonElement item, string field, string path)
    {
        if (!item.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.String)
        {
            return [value.GetString()!.Trim()];
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error($"{path}.{field}: must be a string or an array of strings");
        }
        var list = new List<string>();
        var i = 0;
        foreach (var element in value.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.String || element.GetString()!.Trim().Length == 0)
            {
                throw Error($"{path}.{field}[{i}]: must be a non-empty string");
            }
            list.Add(element.GetString()!.Trim());
            i++;
        }
        return list;
    }

    private static HashSet<string>? Set(JsonElement item, string field, string path, bool upper = false, string[]? allowed = null)
    {
        var values = Strings(item, field, path);
        if (values is null)
        {
            return null;
        }
        var set = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < values.Count; i++)
        {
            var value = upper ? values[i].ToUpperInvariant() : values[i].ToLowerInvariant();
            if (allowed is not null && !allowed.Contains(value, StringComparer.Ordinal))
            {
                throw Error($"{path}.{field}[{i}]: '{values[i]}' is not one of {string.Join(", ", allowed)}");
            }
            set.Add(value);
        }
        return set;
    }

    private static Uri? Url(JsonElement item, string field, string path)
    {
        if (!item.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.String && Uri.TryCreate(value.GetString()!.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            return uri;
        }
        throw Error($"{path}.{field}: must be an absolute http or https URL");
    }

    private static NotificationConfigurationException Error(string detail, Exception? inner = null) => new($"config/{Blob}: {detail}", inner);
}
