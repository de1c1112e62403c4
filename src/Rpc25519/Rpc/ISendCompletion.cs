namespace Rpc25519.Rpc;

/// <summary>Told by a connection's writer loop what became of one queued frame.</summary>
internal interface ISendCompletion
{
    /// <summary>The frame was written and flushed to the transport.</summary>
    void OnSent();

    /// <summary>The frame could not be sent (too large, connection closed, transport error).</summary>
    void OnSendFailed(Exception error);
}
