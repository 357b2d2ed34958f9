using System.Diagnostics;
using System.Text;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Security;

/// <summary>No secret is committed: local settings stay out of git, and no tracked file holds a key, a SAS or a foreign connection string.</summary>
public sealed class SecretsTests
{
    [Fact]
    public async Task Local_settings_are_ignored_and_only_the_sample_is_tracked()
    {
        var tracked = await TrackedFilesAsync();

        Assert.Contains("local.settings.sample.json", tracked);
        Assert.DoesNotContain(tracked, f => Path.GetFileName(f) == "local.settings.json");
        var (ignored, output) = await GitAsync("check-ignore", "--no-index", "-v", "local.settings.json", "functions/Monitor.Functions/local.settings.json");
        Assert.True(ignored == 0, $"git check-ignore: {output}");
        Assert.Contains("functions/Monitor.Functions/local.settings.json", output);
    }

    [Fact]
    public async Task No_tracked_file_holds_a_key_a_sas_or_a_connection_string_other_than_the_development_ones()
    {
        var findings = new List<string>();
        var scanned = 0;
        foreach (var file in await TrackedFilesAsync())
        {
            var path = Path.Combine(RepoPaths.Root, file);
            if (!File.Exists(path))
            {
                continue; // deleted in the working tree, or a symlink to a folder (node_modules)
            }
            var bytes = await File.ReadAllBytesAsync(path);
            if (Array.IndexOf(bytes, (byte)0) >= 0)
            {
                continue; // binary
            }
            scanned++;
            findings.AddRange(SecretScanner.Scan(Encoding.UTF8.GetString(bytes)).Select(f => $"{file}:{f.Line}: {f.Kind}: {f.Text}"));
        }

        Assert.True(scanned > 50, $"only {scanned} tracked text files found under {RepoPaths.Root}");
        Assert.True(findings.Count == 0, "secrets in tracked files:\n" + string.Join('\n', findings));
    }

    [Fact]
    public void Scanner_finds_each_kind_of_secret_and_allows_the_development_ones()
    {
        // Built at run time so that this file itself holds none of them.
        var key = Convert.ToBase64String(Enumerable.Range(1, 64).Select(i => (byte)(i * 7)).ToArray());
        string[] secrets =
        [
            "DefaultEndpointsProtocol=https;Account" + "Name=prodstore;Account" + $"Key={key};EndpointSuffix=core.windows.net",
            "https://prodstore.blob.core.windows.net/incoming?sv=2022-11-02&sr=c&s" + "ig=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789%2B%2F%3D",
            "BlobEndpoint=https://prodstore.blob.core.windows.net/;SharedAccess" + "Signature=sv=2022-11-02&sig=abcdef",
            "Endpoint=sb://bus.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccess" + "Key=0123456789abcdefABCDEF=",
            "\"storageKey\": \"" + key + "\"",
            "-----BEGIN " + "PRIVATE KEY-----",
            "DefaultEndpointsProtocol=https;Account" + "Name=prodstore;EndpointSuffix=core.windows.net",
        ];
        foreach (var secret in secrets)
        {
            Assert.True(SecretScanner.Scan(secret).Any(), $"not found: {secret}");
        }

        Assert.Empty(SecretScanner.Scan("MonitorStorage=UseDevelopmentStorage=true"));
        Assert.Empty(SecretScanner.Scan($"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;Account" + $"Key={SecretScanner.AzuriteAccountKey};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"));
        Assert.Empty(SecretScanner.Scan("\"integrity\": \"sha512-" + key + "\""));
        Assert.Empty(SecretScanner.Scan("AzureWebJobsStorage__credential=managedidentity"));
    }

    private static async Task<List<string>> TrackedFilesAsync()
    {
        var (exitCode, output) = await GitAsync("ls-files", "-z");
        Assert.True(exitCode == 0, $"git ls-files failed in {RepoPaths.Root}: {output}");
        return [.. output.Split('\0', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static async Task<(int ExitCode, string Output)> GitAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start git");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
