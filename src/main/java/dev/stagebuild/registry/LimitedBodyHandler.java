package dev.stagebuild.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.ResponseInfo;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/** Reads a response body into memory, failing once it grows past a limit. */
final class LimitedBodyHandler implements BodyHandler<byte[]> {

  /** The body was larger than allowed. */
  static final class BodyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;
    final long limit;

    BodyTooLargeException(long limit) {
      super("response body larger than " + limit + " bytes");
      this.limit = limit;
    }
  }

  private final int limit;

  LimitedBodyHandler(int limit) {
    this.limit = limit;
  }

  @Override
  public BodySubscriber<byte[]> apply(ResponseInfo responseInfo) {
    return new Subscriber(limit);
  }

  private static final class Subscriber implements BodySubscriber<byte[]> {
    private final int limit;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    Subscriber(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer item : items) {
        if ((long) buffer.size() + item.remaining() > limit) {
          subscription.cancel();
          result.completeExceptionally(new BodyTooLargeException(limit));
          return;
        }
        byte[] chunk = new byte[item.remaining()];
        item.get(chunk);
        buffer.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      result.complete(buffer.toByteArray());
    }
  }
}
