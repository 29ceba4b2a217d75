package dev.attentionkit.pretrained;

/**
 * A weight file that cannot be read as promised: truncated, corrupt, an unknown tensor type, or a tensor
 * whose shape is not what the model needs. The message names the file and, where there is one, the tensor.
 */
public final class TensorFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TensorFormatException(String message) {
        super(message);
    }

    public TensorFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
