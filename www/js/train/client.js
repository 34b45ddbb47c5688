// A promise API over the training worker (train/worker.js), plus its event
// stream (status, progress, eval, trace, error). Kept apart from engine.js:
// the explorer's worker traces while this one trains.

import { WorkerRpc } from '../rpc.js';

export class TrainClient extends WorkerRpc {
  constructor(workerUrl = new URL('./worker.js', import.meta.url)) {
    super(workerUrl, 'training worker');
  }
}
