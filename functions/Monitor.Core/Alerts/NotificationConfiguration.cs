using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Core.Storage;

namespace Monitor.Core.Alerts;

/// <summary>The routes in force, and why they are not the file's when it could not be used.</summary>
/// <param name="Error">The configuration error of config/notifications.json (the last good routes stay in force); null when it was read.</param>
public sealed record NotificationsInForce(NotificationSettings Settings, string? Error);

/// <summary>
/// Reads config/notifications.json (cached until its ETag changes) and adds the single webhook of
/// <c>Alerts:WebhookUrl</c> as a route. A bad file is a configuration error that names the field; the last good routes
/// stay in force, also in a new process: each good version is copied to config/_state/notifications.json.
/// </summary>
public sealed partial class NotificationConfiguration(MonitorStorage storage, IOptions<AlertOptions> alerts, ILogger<NotificationConfiguration> logger)
{
    public const string LastGoodBlob = "_state/notifications.json";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (ETag? Version, NotificationsInForce Routes)? _cached;
    private NotificationSettings? _lastGood;

    public async Task<NotificationsInForce> LoadAsync(CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var blob = storage.Config.GetBlobClient(NotificationSettings.Blob);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ETag? version = null;
            try
            {
                version = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ETag;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }
            if (_cached is { } cached && cached.Version == version)
            {
                return cached.Routes;
            }
            var routes = await ReadAsync(version is null ? null : (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToString(), cancellationToken);
            _cached = (version, routes);
            return routes;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<NotificationsInForce> ReadAsync(string? json, CancellationToken cancellationToken)
    {
        if (json is null)
        {
            return new NotificationsInForce(NotificationSettings.None.WithWebhook(alerts.Value), null);
        }
        try
        {
            var settings = NotificationSettings.Parse(json);
            _lastGood = settings;
            await storage.Config.GetBlobClient(LastGoodBlob).UploadAsync(BinaryData.FromString(json), overwrite: true, cancellationToken);
            return new NotificationsInForce(settings.WithWebhook(alerts.Value), null);
        }
        catch (NotificationConfigurationException ex)
        {
            var lastGood = _lastGood ?? await ReadLastGoodAsync(cancellationToken);
            var error = $"{ex.Message}; {(lastGood is null ? "no earlier version was ever read, so no route is in force" : "the last good version stays in force")}";
            LogInvalid(error);
            return new NotificationsInForce((lastGood ?? NotificationSettings.None).WithWebhook(alerts.Value), error);
        }
    }

    private async Task<NotificationSettings?> ReadLastGoodAsync(CancellationToken cancellationToken)
    {
        try
        {
            var content = await storage.Config.GetBlobClient(LastGoodBlob).DownloadContentAsync(cancellationToken);
            return _lastGood = NotificationSettings.Parse(content.Value.Content.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Error}")]
    private partial void LogInvalid(string error);
}
