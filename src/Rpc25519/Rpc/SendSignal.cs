namespace Rpc25519.Rpc;

/// <summary>Turns a frame's fate into a task, for senders that wait until their message is on the wire.</summary>
internal sealed class SendSignal : ISendCompletion
{
    private readonly TaskCompletionSource _done;

    /// <param name="options">From <see cref="EndpointContext.CompletionOptions"/>.</param>
    public SendSignal(TaskCreationOptions options)
    {
        _done = new TaskCompletionSource(options);
    }

    public Task Task => _done.Task;

    public void OnSent() => _done.TrySetResult();

    public void OnSendFailed(Exception error) => _done.TrySetException(error);
}
