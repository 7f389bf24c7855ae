/**
 * Plays generated frames on a canvas in a loop, enlarged without smoothing, and exports
 * them: WebM through `MediaRecorder` on the canvas's stream, or every frame side by side
 * in one PNG (as `generate --out x.png` writes them).
 *
 * @module
 */
/// <reference lib="dom" />

/** A looping canvas player. */
export class Player {
  readonly #canvas: HTMLCanvasElement;
  #frames: ImageData[] = [];
  #images: HTMLCanvasElement[] = [];
  #index = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Frames per second. */
  fps = 12;
  /** Enlargement factor. */
  scale = 4;

  /** Plays on `canvas`. */
  constructor(canvas: HTMLCanvasElement) {
    this.#canvas = canvas;
  }

  /** The frames now playing. */
  get frames(): readonly ImageData[] {
    return this.#frames;
  }

  /** Replaces the frames and (re)starts the loop, keeping the position when it can. */
  show(frames: ImageData[]): void {
    this.#frames = frames;
    this.#images = frames.map((f) => imageCanvas([f]));
    if (this.#index >= frames.length) this.#index = 0;
    this.restart();
  }

  /** Restarts the loop with the current `fps` and `scale`. */
  restart(): void {
    clearInterval(this.#timer);
    if (this.#frames.length === 0) return;
    const { width, height } = this.#frames[0];
    this.#canvas.width = width * this.scale;
    this.#canvas.height = height * this.scale;
    this.#draw(this.#index);
    this.#timer = setInterval(() => {
      this.#index = (this.#index + 1) % this.#frames.length;
      this.#draw(this.#index);
    }, 1000 / this.fps);
  }

  #draw(i: number): void {
    const image = this.#images[i];
    const ctx = this.#canvas.getContext("2d")!;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(image, 0, 0, image.width * this.scale, image.height * this.scale);
  }

  /** Every frame once, recorded from the canvas as WebM. */
  async recordWebm(): Promise<Blob> {
    if (this.#frames.length === 0) throw new Error("nothing to record yet");
    clearInterval(this.#timer);
    const stream = this.#canvas.captureStream(this.fps);
    const type = ["video/webm;codecs=vp9", "video/webm"].find((t) =>
      MediaRecorder.isTypeSupported(t)
    );
    const recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((resolve) => recorder.onstop = resolve);
    recorder.start();
    for (let i = 0; i < this.#frames.length; i++) {
      this.#draw(i);
      await new Promise((resolve) => setTimeout(resolve, 1000 / this.fps));
    }
    recorder.stop();
    await stopped;
    stream.getTracks().forEach((t) => t.stop());
    this.restart();
    return new Blob(chunks, { type: "video/webm" });
  }

  /** All frames side by side in one PNG, at the model's size. */
  async framesPng(): Promise<Blob> {
    if (this.#frames.length === 0) throw new Error("nothing to save yet");
    return await new Promise<Blob>((resolve, reject) =>
      imageCanvas(this.#frames).toBlob((b) => (b ? resolve(b) : reject(new Error("PNG failed"))))
    );
  }
}

/** A canvas holding `frames` side by side. */
function imageCanvas(frames: ImageData[]): HTMLCanvasElement {
  const c = document.createElement("canvas");
  c.width = frames[0].width * frames.length;
  c.height = frames[0].height;
  const ctx = c.getContext("2d")!;
  frames.forEach((f, i) => ctx.putImageData(f, i * f.width, 0));
  return c;
}

/** Offers `blob` as a download named `name`. */
export function download(blob: Blob, name: string): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
