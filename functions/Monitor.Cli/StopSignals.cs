using System.Runtime.InteropServices;

namespace Monitor.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM for every verb: the first one cancels <see cref="Token"/>, so the verb stops gracefully
/// (`run` finishes or abandons the blob in hand and prints what it did, `serve` stops listening); a second one is left
/// to the runtime, which ends the process at once.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public StopSignals()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _stop.Token;

    private void OnSignal(PosixSignalContext context)
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        context.Cancel = true;
        // Not on the signal thread: the verb's continuations run on the thread that cancels.
        _ = Task.Run(_stop.Cancel);
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _stop.Dispose();
    }
}
