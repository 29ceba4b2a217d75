package dev.attentionkit.kernel;

import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;

/**
 * What the kit adds to the JJava kernel, installed by JJava itself when the kernel starts: JJava 1.0a8 looks for
 * {@code org.dflib.jjava.jupyter.Extension}s with {@link java.util.ServiceLoader} in its own class loader
 * ({@code MavenResolver.initImplicitExtensions}), so the kit's kernelspec starts the kernel with the library on the
 * JVM's class path, and this class is listed in {@code META-INF/services}.
 *
 * <p>Being on the kernel's own class path also makes the classes a cell sees the same classes this extension
 * registers renderers for: JShell's class loader asks its parent (the JVM's) first. With the library only on
 * {@code JJAVA_CLASSPATH}, a renderer registered from outside JShell would be keyed on another copy of each class and
 * never be chosen.
 */
public final class KitExtension implements Extension {

    /**
     * A snippet evaluated once while the kernel starts. JShell compiles its first snippet slowly (seconds on a busy
     * machine, loading javac); the start-up script this extension replaced paid that before the kernel said it was
     * ready, so a learner's first cell started at once and an early Interrupt reached it (JJava drops an Interrupt
     * that comes while no cell runs). Evaluating one snippet here keeps it so.
     */
    static final String WARM_UP = "dev.attentionkit.notebook.Progress.class.getName()";

    /** Renderers, progress lines and the server watch (see each class), then JShell's warm-up. */
    @Override
    public void install(BaseKernel kernel) {
        ServerWatch.endWithServer(System.getenv("JPY_PARENT_PID"));
        Renderers.register(kernel.getRenderer());
        NotebookProgress.connect(kernel);
        try {
            kernel.eval(WARM_UP);
        } catch (Exception e) {
            // Only the first cell's start is slower; the kernel works without it.
        }
    }
}
