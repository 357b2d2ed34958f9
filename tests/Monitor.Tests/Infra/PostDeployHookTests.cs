using System.Diagnostics;
using System.Text.Json.Nodes;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Infra;

/// <summary>
/// Runs infra/hooks/postdeploy.sh as azd would, with a stand-in `az` first on PATH that records what it is asked and
/// answers like the Azure CLI (there is no Azure here). Checks what the hook deploys and that the key stays off
/// command lines and out of files that outlive it.
/// </summary>
public sealed class PostDeployHookTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>, IDisposable
{
    private const string Key = "abc-DEF_123==";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("postdeploy-");

    [Fact]
    public async Task Deploys_the_event_grid_module_with_the_webhook_of_the_blob_extension_and_leaves_no_key_behind()
    {
        var (exitCode, output) = await RunHookAsync(Environment());

        Assert.True(exitCode == 0, output);
        var calls = File.ReadAllText(Log).Split("\n--\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(calls, c => c.Contains(Key, StringComparison.Ordinal) || c.Contains("abc-DEF_123%3D", StringComparison.Ordinal));
        var deploy = Assert.Single(calls, c => c.StartsWith("deployment\ngroup\ncreate\n", StringComparison.Ordinal)).Split('\n');
        Assert.Equal("rg-test", deploy[Array.IndexOf(deploy, "--resource-group") + 1]);
        Assert.Equal(
            Path.GetFullPath(Path.Combine(RepoPaths.Root, "infra", "modules", "eventgrid.bicep")),
            Path.GetFullPath(deploy[Array.IndexOf(deploy, "--template-file") + 1]));

        // The parameters file was private to the user and is gone.
        Assert.Equal("600", File.ReadAllText(Path.Combine(_dir.FullName, "params.mode")).Trim());
        var parametersPath = deploy[Array.IndexOf(deploy, "--parameters") + 1].TrimStart('@');
        Assert.False(File.Exists(parametersPath), $"{parametersPath} outlived the hook");

        var parameters = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir.FullName, "params.json")))!["parameters"]!.AsObject();
        Assert.True((bool)parameters["deployEventSubscription"]!["value"]!);
        Assert.Equal(
            "https://func-test.azurewebsites.net/runtime/webhooks/blobs?functionName=Host.Functions.IngestFeed&code=abc-DEF_123%3D%3D",
            (string?)parameters["webhookUrl"]!["value"]);
        Assert.Equal("evgt-test", (string?)parameters["systemTopicName"]!["value"]);
        Assert.Equal("sttest", (string?)parameters["storageAccountName"]!["value"]);
        Assert.Equal("eventgrid-deadletter", (string?)parameters["deadLetterContainerName"]!["value"]);
        Assert.Equal("westeurope", (string?)parameters["location"]!["value"]);
        Assert.Equal("test", (string?)parameters["tags"]!["value"]!["azd-env-name"]);

        // Every parameter the hook passes is one the module declares, and the module's required ones are all there.
        var (_, eventGrid) = compiled.Single("Microsoft.EventGrid/systemTopics");
        var declared = eventGrid["parameters"]!.AsObject();
        Assert.All(parameters.Select(p => p.Key), name => Assert.True(declared.ContainsKey(name), $"the hook passes '{name}', which eventgrid.bicep does not declare"));
        Assert.All(declared.Where(p => p.Value!["defaultValue"] is null).Select(p => p.Key), name => Assert.True(parameters.ContainsKey(name), $"the hook does not pass required parameter '{name}'"));
        Assert.Contains("event subscription ingest-incoming: Succeeded", output);
    }

    [Fact]
    public async Task Stops_with_a_clear_message_when_an_azd_output_is_missing()
    {
        var environment = Environment();
        environment.Remove("EVENTGRID_SYSTEM_TOPIC_NAME");

        var (exitCode, output) = await RunHookAsync(environment);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("EVENTGRID_SYSTEM_TOPIC_NAME is not set", output);
        Assert.False(File.Exists(Log), "az must not be called before the inputs are checked");
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private string Log => Path.Combine(_dir.FullName, "az.log");

    private Dictionary<string, string> Environment() => new()
    {
        ["AZURE_ENV_NAME"] = "test",
        ["AZURE_LOCATION"] = "westeurope",
        ["AZURE_RESOURCE_GROUP"] = "rg-test",
        ["AZURE_FUNCTION_APP_NAME"] = "func-test",
        ["AZURE_FUNCTION_APP_HOST_NAME"] = "func-test.azurewebsites.net",
        ["AZURE_STORAGE_ACCOUNT_NAME"] = "sttest",
        ["EVENTGRID_SYSTEM_TOPIC_NAME"] = "evgt-test",
        ["EVENTGRID_DEADLETTER_CONTAINER"] = "eventgrid-deadletter",
    };

    private async Task<(int ExitCode, string Output)> RunHookAsync(Dictionary<string, string> environment)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_dir.FullName, "bin"));
        var az = Path.Combine(bin.FullName, "az");
        // Records each call (one argument per line, "--" between calls) and answers the three commands the hook uses.
        await File.WriteAllTextAsync(az, $$"""
            #!/usr/bin/env bash
            dir="{{_dir.FullName}}"
            printf '%s\n' "$@" >> "$dir/az.log"; printf -- '--\n' >> "$dir/az.log"
            case "$1 $2 $3" in
              "functionapp keys list") echo "{{Key}}" ;;
              "deployment group create")
                while [[ $# -gt 0 ]]; do
                  if [[ "$1" == "--parameters" ]]; then file="${2#@}"; cp "$file" "$dir/params.json"; stat -c %a "$file" > "$dir/params.mode"; fi
                  shift
                done ;;
              "eventgrid system-topic event-subscription") echo "Succeeded" ;;
              *) echo "unexpected az call: $*" >&2; exit 2 ;;
            esac
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "infra", "hooks", "postdeploy.sh"));
        start.Environment.Clear();
        start.Environment["PATH"] = $"{bin.FullName}:/usr/local/bin:/usr/bin:/bin";
        start.Environment["HOME"] = _dir.FullName;
        start.Environment["TMPDIR"] = _dir.FullName;
        start.Environment["MONITOR_KEY_TIMEOUT_SECONDS"] = "0";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
