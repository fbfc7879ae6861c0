-- One route vocabulary: an answer's route is the path that answered it, as on its gateway log.
UPDATE answers SET route = '/v1/chat/completions' WHERE route = '/v1';
