using System.Text.Json;
using NCrontab;

namespace Monitor.Core.Config;

/// <summary>What a pulled source is: a TAXII 2.1 collection, a MISP feed folder (manifest.json) or one HTTP file.</summary>
public enum PullKind
{
    Taxii21,
    MispFeed,
    Http,
}

/// <summary>
/// The <c>pull</c> block of a source in config/sources.json:
/// <c>{"kind": "taxii2.1", "url": "https://...", "username": "reader", "passwordSetting": "PARTNER_TAXII_PASSWORD", "schedule": "0 */15 * * * *"}</c>.
/// Secrets are never in the file: <see cref="PasswordSetting"/> and <see cref="TokenSetting"/> name an app setting or
/// environment variable (in Azure, a Key Vault reference).
/// </summary>
public sealed record PullSettings(PullKind Kind, Uri Url, string Schedule, string? Username, string? PasswordSetting, string? TokenSetting)
{
    /// <summary>Every 15 minutes, when the block names no schedule.</summary>
    public const string DefaultSchedule = "0 */15 * * * *";

    public static readonly IReadOnlyDictionary<string, PullKind> Kinds = new Dictionary<string, PullKind>(StringComparer.OrdinalIgnoreCase)
    {
        ["taxii2.1"] = PullKind.Taxii21,
        ["misp-feed"] = PullKind.MispFeed,
        ["http"] = PullKind.Http,
    };

    /// <summary>The kind as sources.json spells it.</summary>
    public string KindName => Kinds.First(k => k.Value == Kind).Key;

    /// <summary>The parsed <see cref="Schedule"/> (NCRONTAB, with or without the seconds field).</summary>
    public CrontabSchedule Crontab => ParseSchedule(Schedule)!;

    public static CrontabSchedule? ParseSchedule(string expression) =>
        CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 });

    /// <summary>Parses a pull block; a bad one throws a <see cref="FormatException"/> that names the source and the field.</summary>
    public static PullSettings Parse(string source, JsonElement block)
    {
        if (source.Length > 64 || !source.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || source is "." or "..")
        {
            throw new FormatException($"source '{source}': a pulled source's name is its drop-zone folder incidents/<name>/, so it must be 1-64 letters, digits, '-', '_' or '.'");
        }
        if (block.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"source '{source}': pull must be an object such as {{\"kind\": \"taxii2.1\", \"url\": \"https://...\"}}");
        }
        PullKind? kind = null;
        Uri? url = null;
        string? schedule = null, username = null, passwordSetting = null, tokenSetting = null;
        foreach (var field in block.EnumerateObject())
        {
            var text = field.Value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(field.Value.GetString())
                ? field.Value.GetString()!.Trim()
                : throw new FormatException($"source '{source}': pull.{field.Name} must be a non-empty string");
            switch (field.Name)
            {
                case "kind":
                    kind = Kinds.TryGetValue(text, out var k) ? k
                        : throw new FormatException($"source '{source}': pull.kind '{text}' is not one of {string.Join(", ", Kinds.Keys)}");
                    break;
                case "url":
                    // TLS is always verified; plain http only when the operator writes it out (a local test server).
                    url = Uri.TryCreate(text, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp) && u.UserInfo.Length == 0
                        ? u
                        : throw new FormatException($"source '{source}': pull.url '{text}' must be an absolute https:// (or http://) URL without credentials in it");
                    break;
                case "schedule":
                    schedule = ParseSchedule(text) is not null ? text
                        : throw new FormatException($"source '{source}': pull.schedule '{text}' is not an NCRONTAB expression such as '{DefaultSchedule}'");
                    break;
                case "username":
                    username = text;
                    break;
                case "passwordSetting":
                    passwordSetting = SettingName(source, field.Name, text);
                    break;
                case "tokenSetting":
                    tokenSetting = SettingName(source, field.Name, text);
                    break;
                default:
                    throw new FormatException($"source '{source}': unknown field pull.{field.Name} (expected kind, url, schedule, username, passwordSetting, tokenSetting)");
            }
        }
        if (kind is null)
        {
            throw new FormatException($"source '{source}': pull.kind is missing ({string.Join(", ", Kinds.Keys)})");
        }
        if (url is null)
        {
            throw new FormatException($"source '{source}': pull.url is missing");
        }
        if (tokenSetting is not null && (username is not null || passwordSetting is not null))
        {
            throw new FormatException($"source '{source}': pull.tokenSetting (Bearer) cannot be combined with pull.username/passwordSetting (Basic)");
        }
        if ((username is null) != (passwordSetting is null))
        {
            throw new FormatException($"source '{source}': pull.{(username is null ? "username" : "passwordSetting")} is missing (Basic auth needs both)");
        }
        if (kind == PullKind.MispFeed && !url.AbsolutePath.EndsWith('/'))
        {
            // Relative resolution of manifest.json and <uuid>.json needs the folder form.
            url = new Uri(url + "/");
        }
        return new PullSettings(kind.Value, url, schedule ?? DefaultSchedule, username, passwordSetting, tokenSetting);
    }

    private static string SettingName(string source, string field, string text) =>
        text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':')
            ? text
            : throw new FormatException($"source '{source}': pull.{field} must name an app setting or environment variable (letters, digits, '_', '-', '.', ':'), not hold the secret itself");
}
