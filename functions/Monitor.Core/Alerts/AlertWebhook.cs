using System.Text;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Monitor.Core.Alerts;

/// <summary>
/// POSTs one JSON body to a webhook (Teams Workflows, Slack) through the named HttpClient <see cref="ClientName"/>, whose
/// standard resilience handler retries with exponential backoff. Never throws for a failed delivery.
/// </summary>
public sealed partial class AlertWebhook(IHttpClientFactory clients, ILogger<AlertWebhook> logger)
{
    public const string ClientName = "alerts-webhook";

    /// <returns>Null when the endpoint accepted it, else the reason ("HTTP 500 Internal Server Error", "Connection refused ...").</returns>
    public async Task<string?> PostAsync(Uri url, string json, string alertId, CancellationToken cancellationToken)
    {
        using var client = clients.CreateClient(ClientName);
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        try
        {
            using var response = await client.PostAsync(url, content, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return null;
            }
            var reason = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
            LogFailed(alertId, url.GetLeftPart(UriPartial.Authority), reason);
            return reason;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var reason = Describe(ex);
            LogFailed(alertId, url.GetLeftPart(UriPartial.Authority), reason);
            return reason;
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
