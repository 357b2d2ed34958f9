using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Core.Storage;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Monitor.Core.Alerts;

/// <summary>
/// POSTs one alert to the configured webhook through the named HttpClient <see cref="ClientName"/>, whose standard
/// resilience handler retries with exponential backoff. Returns the status to record, never throws for a failed delivery.
/// </summary>
public sealed partial class AlertWebhook(IHttpClientFactory clients, IOptions<AlertOptions> options, ILogger<AlertWebhook> logger)
{
    public const string ClientName = "alerts-webhook";

    public bool Enabled => options.Value.WebhookEnabled;

    /// <returns><see cref="WebhookStatuses.Delivered"/>, or "failed: " and the reason.</returns>
    public Task<string> PostAsync(AlertEntity alert, CancellationToken cancellationToken) =>
        PostAsync(alert.AlertId, WebhookPayload.Build(alert, options.Value.Format), cancellationToken);

    /// <summary>POSTs an already built body (Slack or Teams shape, as <see cref="AlertOptions.Format"/> says).</summary>
    internal async Task<string> PostAsync(string alertId, string payload, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var url = new Uri(settings.WebhookUrl!.Trim(), UriKind.Absolute);
        using var client = clients.CreateClient(ClientName);
        using var content = new StringContent(payload, Encoding.UTF8, "application/json");
        try
        {
            using var response = await client.PostAsync(url, content, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return WebhookStatuses.Delivered;
            }
            var status = $"{WebhookStatuses.FailedPrefix}HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
            LogFailed(alertId, url.GetLeftPart(UriPartial.Authority), status);
            return status;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var status = $"{WebhookStatuses.FailedPrefix}{Describe(ex)}";
            LogFailed(alertId, url.GetLeftPart(UriPartial.Authority), status);
            return status;
        }
    }

    private static string Describe(Exception ex)
    {
        var message = ex switch
        {
            TimeoutRejectedException => "timed out",
            BrokenCircuitException => "the webhook failed repeatedly; calls are paused for a few seconds (circuit open)",
            OperationCanceledException => "timed out",
            _ => ex.GetBaseException().Message,
        };
        return message.Length <= 300 ? message : message[..300];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery of alert {AlertId} to {Endpoint} failed after retries: {Status}")]
    private partial void LogFailed(string alertId, string endpoint, string status);
}
