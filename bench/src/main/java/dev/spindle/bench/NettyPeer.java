package dev.spindle.bench;

import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import java.util.concurrent.TimeUnit;

/**
 * Netty 4.2's event loop with the {@link LocalIoHandler} (no sockets: its MPSC task queue and its park /
 * unpark wakeup). Its task queue is unbounded, so {@link #trySubmit} never refuses; the benchmarks bound
 * the work in flight themselves.
 */
final class NettyPeer implements PeerExecutor {
    final MultiThreadIoEventLoopGroup group;
    final IoEventLoop loop;

    NettyPeer() {
        group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
        loop = group.next();
    }

    @Override
    public boolean trySubmit(Runnable task) {
        loop.execute(task);
        return true;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
