using System.ComponentModel.DataAnnotations;

namespace Monitor.Core.Alerts;

/// <summary>Where alerts go besides the table and the queue (section "Alerts"; the digest's settings there are <c>DigestOptions</c>).</summary>
public sealed class AlertOptions : IValidatableObject
{
    public const string Section = "Alerts";

    /// <summary>An absolute http(s) URL that receives each new alert as a POST; empty: no webhook.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>The JSON shape of the POST: <c>slack</c> ({"text": ...}) or <c>teams</c> (an Office 365 connector MessageCard).</summary>
    [RegularExpression("(?i)^(slack|teams)$", ErrorMessage = "Alerts:Format must be 'slack' or 'teams'")]
    public string Format { get; set; } = WebhookFormats.Slack;

    /// <summary>Retries after a failed POST (5xx, 408, 429, timeout, connection error), with exponential backoff and jitter.</summary>
    [Range(1, 10)]
    public int WebhookMaxRetries { get; set; } = 3;

    /// <summary>The first backoff delay; each retry doubles it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The timeout of one POST attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan WebhookAttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before a failed delivery (any channel) is tried again by a later sweep; doubled after each failure, at most an hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DeliveryRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Failed attempts after which a route counts as failing: the digest warns about it.</summary>
    [Range(1, 100)]
    public int FailingAfterAttempts { get; set; } = 3;

    public bool WebhookEnabled => !string.IsNullOrWhiteSpace(WebhookUrl);

    public bool IsTeams => string.Equals(Format, WebhookFormats.Teams, StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (WebhookEnabled
            && !(Uri.TryCreate(WebhookUrl!.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult($"Alerts:WebhookUrl '{WebhookUrl}' is not an absolute http or https URL", [nameof(WebhookUrl)]);
        }
        // The standard resilience handler refuses a total timeout that cannot hold every attempt and backoff.
        if (TotalTimeout > TimeSpan.FromHours(1))
        {
            yield return new ValidationResult("Alerts:WebhookMaxRetries, WebhookRetryDelay and WebhookAttemptTimeout allow more than an hour per alert", [nameof(WebhookMaxRetries)]);
        }
    }

    /// <summary>Every attempt plus the exponential backoff between them (jitter stays below the doubled delay).</summary>
    public TimeSpan TotalTimeout
    {
        get
        {
            var total = WebhookAttemptTimeout * (WebhookMaxRetries + 1);
            for (var retry = 0; retry < WebhookMaxRetries; retry++)
            {
                total += WebhookRetryDelay * Math.Pow(2, retry + 1);
            }
            return total + TimeSpan.FromSeconds(1);
        }
    }
}

internal static class WebhookFormats
{
    public const string Slack = "slack";
    public const string Teams = "teams";
}

/// <summary>The values of <c>AlertDeliveries.Status</c>.</summary>
public static class DeliveryStatuses
{
    /// <summary>Not attempted yet.</summary>
    public const string Pending = "pending";

    public const string Delivered = "delivered";

    /// <summary>The last attempt failed (LastError says why); retried with back-off.</summary>
    public const string Failed = "failed";

    /// <summary>Will not be sent: its route or channel is no longer configured (LastError says which).</summary>
    public const string Cancelled = "cancelled";
}
