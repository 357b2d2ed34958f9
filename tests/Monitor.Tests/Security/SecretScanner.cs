using System.Text.RegularExpressions;

namespace Monitor.Tests.Security;

/// <summary>
/// Finds credentials in text: storage account keys, SAS signatures, connection strings with key material, shared access
/// keys and private keys. The only ones allowed are the documented development ones: UseDevelopmentStorage=true and the
/// Azurite account devstoreaccount1 with its well-known key, which Microsoft publishes.
/// </summary>
public static partial class SecretScanner
{
    public const string AzuriteAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public sealed record Finding(int Line, string Kind, string Text);

    public static IEnumerable<Finding> Scan(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            foreach (Match m in AccountKey().Matches(line))
            {
                if (m.Groups["key"].Value != AzuriteAccountKey)
                {
                    yield return new Finding(i + 1, "account key", Shorten(m.Value));
                }
            }
            foreach (Match m in BareStorageKey().Matches(line))
            {
                // A 64-byte key in base64 is 88 characters; sha512 integrity hashes (package-lock.json) have the same shape.
                if (m.Value != AzuriteAccountKey && !line[..m.Index].EndsWith("sha512-", StringComparison.Ordinal))
                {
                    yield return new Finding(i + 1, "base64 key", Shorten(m.Value));
                }
            }
            foreach (Match m in SasSignature().Matches(line))
            {
                yield return new Finding(i + 1, "SAS signature", Shorten(m.Value));
            }
            foreach (Match m in KeyedConnectionString().Matches(line))
            {
                yield return new Finding(i + 1, "connection string with a key", Shorten(m.Value));
            }
            foreach (Match m in AccountName().Matches(line))
            {
                if (m.Groups["name"].Value != "devstoreaccount1")
                {
                    yield return new Finding(i + 1, "storage connection string", Shorten(m.Value));
                }
            }
            if (PrivateKey().IsMatch(line))
            {
                yield return new Finding(i + 1, "private key", "-----BEGIN ... PRIVATE KEY-----");
            }
        }
    }

    private static string Shorten(string value) => value.Length <= 24 ? value : value[..24] + "…";

    [GeneratedRegex(@"AccountKey=(?<key>[A-Za-z0-9+/=]{20,})", RegexOptions.IgnoreCase)]
    private static partial Regex AccountKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])")]
    private static partial Regex BareStorageKey();

    [GeneratedRegex(@"(?:[?&;]|^|\W)sig=[A-Za-z0-9%+/=]{16,}", RegexOptions.IgnoreCase)]
    private static partial Regex SasSignature();

    [GeneratedRegex(@"SharedAccessSignature=(?:sv|ss|srt|sp|se|st|spr|sig|sr|skoid)=|SharedAccessKey=[A-Za-z0-9%+/=]{8,}", RegexOptions.IgnoreCase)]
    private static partial Regex KeyedConnectionString();

    [GeneratedRegex(@"AccountName=(?<name>[a-z0-9]{3,24})\s*;", RegexOptions.IgnoreCase)]
    private static partial Regex AccountName();

    [GeneratedRegex(@"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----")]
    private static partial Regex PrivateKey();
}
